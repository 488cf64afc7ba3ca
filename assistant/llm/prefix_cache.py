"""The answer prompt's fixed prefix, evaluated once and kept on disk.

Every answer prompt starts with the same instructions (the chat template's system turn and
the start of the user turn). A warm process keeps their KV cache between questions; a new
process would evaluate them again, a few hundred tokens that cost ~2 s on two cores. This
module saves llama.cpp's state after the prefix to ``<cache_dir>/prefix/`` and restores it
in the next process, so a cold ``assistant ask`` evaluates only the passages and the question.

The file is keyed on the model file, llama-cpp-python's version, the context size and the
prefix tokens themselves, so a changed prompt or model never reuses a stale state.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


def common_prefix(token_lists: Sequence[Sequence[int]]) -> list[int]:
    """The longest run of tokens every list starts with."""
    first = list(token_lists[0])
    n = len(first)
    for tokens in token_lists[1:]:
        same = 0
        for a, b in zip(first, tokens):
            if a != b:
                break
            same += 1
        n = min(n, same)
    return first[:n]


def state_path(cache_dir: Path, model_path: str, n_ctx: int, tokens: Sequence[int]) -> Path:
    """Where the state after ``tokens`` is kept for this model and context size."""
    import llama_cpp

    st = Path(model_path).stat()
    key = hashlib.sha256(
        f"{Path(model_path).resolve()}|{st.st_size}|{int(st.st_mtime)}|{llama_cpp.__version__}|{n_ctx}|".encode()
        + np.asarray(tokens, dtype=np.int32).tobytes()
    ).hexdigest()[:24]
    return Path(cache_dir) / "prefix" / f"{key}.npz"


def restore(llama: Any, path: Path, tokens: Sequence[int]) -> bool:
    """Load the saved state after ``tokens``; False (and the file removed) when it does not fit."""
    try:
        with np.load(path) as saved:
            if not np.array_equal(saved["tokens"], np.asarray(tokens, dtype=np.int32)):
                raise ValueError("the saved prefix is for other tokens")
            blob = saved["state"].tobytes()
        load(llama, tokens, blob)
        return True
    except Exception:  # damaged, truncated or from another build: evaluate the prefix again
        path.unlink(missing_ok=True)
        llama.reset()
        return False


def load(llama: Any, tokens: Sequence[int], blob: bytes) -> None:
    """Set llama.cpp's state to ``blob``, the state after ``tokens`` (from :func:`save` or
    :func:`state_blob`)."""
    from llama_cpp.llama import LlamaState

    ids = llama.input_ids.copy()
    ids[: len(tokens)] = tokens
    # The logits of the prefix are never read (the suffix is decoded); one zero row, which
    # load_state broadcasts over the prefix, spares a copy of len(tokens) x n_vocab floats.
    scores = np.zeros((1, llama.n_vocab()), dtype=np.single)
    llama.load_state(LlamaState(ids, scores, len(tokens), blob, len(blob), llama._seed))  # noqa: SLF001


def state_blob(llama: Any) -> bytes:
    """llama.cpp's current state (the KV cache of the tokens evaluated so far), as bytes."""
    return llama.save_state().llama_state


def save(llama: Any, path: Path, tokens: Sequence[int]) -> None:
    """Write llama.cpp's state after ``tokens`` (atomically: a crash leaves no partial file)."""
    blob = state_blob(llama)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, tokens=np.asarray(tokens, dtype=np.int32), state=np.frombuffer(blob, np.uint8))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def prime(llama: Any, tokens: Sequence[int], cache_dir: Path, model_path: str, n_ctx: int) -> str:
    """Bring the KV cache to the state after ``tokens``: restored from disk, else evaluated and
    saved. Returns ``"restored"``, ``"evaluated"`` or ``"skipped"`` (prefix too long or empty)."""
    if not tokens or len(tokens) >= min(llama.scores.shape[0], n_ctx):
        return "skipped"
    path = state_path(cache_dir, model_path, n_ctx, tokens)
    if path.is_file() and restore(llama, path, tokens):
        return "restored"
    llama.reset()
    llama.eval(list(tokens))
    try:
        save(llama, path, tokens)
    except OSError:  # a read-only or full cache folder only costs the next process the evaluation
        pass
    return "evaluated"
