"""Query embeddings on onnxruntime: the packaged MiniLM weights, exported once to ONNX.

Importing torch and sentence-transformers costs a cold process about 4 s; onnxruntime (which
chromadb already installs) and the ``tokenizers`` library load in a fraction of a second.
The export runs once, with torch, and is cached like the GGUF: ``<cache_dir>/embed/``.
The exported graph includes mean pooling and L2 normalisation, so it returns the same
vectors as :class:`assistant.store.embed.TorchEmbedder` (``bench/embed_parity.py`` measures it).
"""

from __future__ import annotations

import os
import tempfile
import threading
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import SetupError
from assistant.store.vectors import ArrayEmbeddings

EXPORT_VERSION = "1"  # bump when the exported graph changes
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
BATCH = 8
"""Texts per onnxruntime call. On 2 cores, batches of 8 embedded archive chunks faster than
batches of 64 in every run of ``bench/bench_embed_batch.py`` (by 6–31 %, e.g. 120 against
99 chunks/s), with the same vectors (cosine ≥ 0.999999)."""
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def onnx_path(cache_dir: Path, model_dir: str) -> Path:
    """Where the export of the model in ``model_dir`` is cached (keyed on its weights file)."""
    weights = Path(model_dir) / "model.safetensors"
    st = weights.stat()
    return Path(cache_dir) / "embed" / f"all-MiniLM-L6-v2-{st.st_size}-{int(st.st_mtime)}-v{EXPORT_VERSION}.onnx"


def export(model_dir: str, target: Path) -> Path:
    """Export the transformer + mean pooling + normalisation to ``target`` (atomically).

    Needs torch, transformers and onnx; :class:`OnnxEmbedder` then needs none of them.
    """
    import torch
    from transformers import AutoModel

    class _Sentence(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor) -> torch.Tensor:
            hidden = self.model(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state
            weight = mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * weight).sum(1) / weight.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    target.parent.mkdir(parents=True, exist_ok=True)
    module = _Sentence(AutoModel.from_pretrained(model_dir).eval())
    sample = tuple(torch.ones(2, 8, dtype=torch.long) for _ in _INPUTS)
    axes = {name: {0: "batch", 1: "tokens"} for name in _INPUTS} | {"embedding": {0: "batch"}}
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".onnx.part")
    os.close(fd)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                module,
                sample,
                tmp,
                input_names=list(_INPUTS),
                output_names=["embedding"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
        os.replace(tmp, target)  # a crash mid-export leaves only a .part file behind
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


class OnnxEmbedder(ArrayEmbeddings):
    """Embeddings from onnxruntime and a fast tokenizer (normalised vectors).

    A call of one batch (a question, an answer's few sentences) runs on one session that uses
    every thread. A call of several batches (indexing, evidence selection) runs its batches
    side by side, one per thread, on a second session of one thread: on 2 cores that embedded
    archive chunks faster than one session of two threads in each of four runs of
    ``bench/bench_embed_batch.py --parallel`` (by 15–39 % at batches of 8), with the same
    vectors (cosine ≥ 0.999999).
    """

    def __init__(self, model_dir: str, onnx_file: Path, threads: int = 0, batch_size: int = BATCH) -> None:
        from tokenizers import Tokenizer

        self.onnx_file = onnx_file
        self.threads = threads or (os.cpu_count() or 1)
        try:
            self.tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
            self.session = self._session(self.threads)
        except Exception as exc:  # a damaged export or tokenizer file
            raise SetupError(f"cannot load the ONNX embedding model {onnx_file}: {exc}") from None
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()
        self.batch_size = batch_size
        self.parallel = self.threads > 1
        self._side_by_side: tuple[Any, ThreadPoolExecutor] | None = None
        self._lock = threading.Lock()

    def _session(self, threads: int) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        # Idle worker threads must sleep, not spin: the LLM decodes on the same cores
        # right after the evidence sentences are embedded.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        return ort.InferenceSession(str(self.onnx_file), options, providers=["CPUExecutionProvider"])

    def _encode(self, session: Any, texts: list[str]) -> np.ndarray:
        enc = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return session.run(None, feed)[0]

    def _workers(self) -> tuple[Any, ThreadPoolExecutor]:
        """The one-thread session and the threads that call it side by side (made once)."""
        with self._lock:
            if self._side_by_side is None:
                pool = ThreadPoolExecutor(self.threads, thread_name_prefix="embed")
                self._side_by_side = (self._session(1), pool)
            return self._side_by_side

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        # Similar lengths together, as sentence-transformers does, so padding stays small.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        parts = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        if len(parts) > 1 and self.parallel:
            session, pool = self._workers()
            done = pool.map(lambda part: self._encode(session, [texts[j] for j in part]), parts)
        else:
            done = (self._encode(self.session, [texts[j] for j in part]) for part in parts)
        out: np.ndarray | None = None
        for part, vectors in zip(parts, done):
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[part] = vectors
        return out if out is not None else np.zeros((0, 0), dtype=np.float32)
