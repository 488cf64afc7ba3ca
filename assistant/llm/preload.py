"""Start loading the embedded GGUF before the rest of the program is even imported.

A cold ``assistant ask`` spends ~0.6 s importing LangChain and Chroma and ~1 s loading the
model; llama.cpp loads in C without the GIL, so the two can overlap. :func:`start` begins
the load in a thread; :class:`~assistant.llm.llamacpp.ChatLlamaCppLocal` takes the loaded
model with :func:`take` when it first needs it, or loads its own when none was started.
"""

from __future__ import annotations

import os
import threading
from typing import Any

_lock = threading.Lock()
_started: dict[tuple[str, int, int], tuple[threading.Thread, dict[str, Any]]] = {}


def llama_kwargs(model_path: str, n_ctx: int, n_threads: int) -> dict[str, Any]:
    """The arguments every ``llama_cpp.Llama`` of this project is made with."""
    threads = n_threads or max(1, os.cpu_count() or 1)
    return {
        "model_path": model_path,
        "n_ctx": n_ctx,
        "n_batch": 512,
        "n_threads": threads,
        "n_threads_batch": threads,
        "verbose": False,
    }


def start(model_path: str, n_ctx: int, n_threads: int) -> None:
    """Begin loading the model in a background thread (once per model and settings)."""
    key = (model_path, n_ctx, n_threads)
    box: dict[str, Any] = {}

    def load() -> None:
        try:
            from llama_cpp import Llama

            box["llama"] = Llama(**llama_kwargs(*key))
        except Exception as exc:  # reported by the normal load, which tries again
            box["error"] = exc

    with _lock:
        if key in _started:
            return
        thread = threading.Thread(target=load, daemon=True, name="llm-preload")
        _started[key] = (thread, box)
        thread.start()


def take(model_path: str, n_ctx: int, n_threads: int) -> Any | None:
    """The model :func:`start` loaded with these settings (waiting for it), else ``None``."""
    with _lock:
        entry = _started.pop((model_path, n_ctx, n_threads), None)
    if entry is None:
        return None
    thread, box = entry
    thread.join()
    return box.get("llama")


def wait_all() -> None:
    """Wait for every load still running (llama.cpp silences stdout/stderr while it loads)."""
    with _lock:
        threads = [t for t, _ in _started.values()]
    for t in threads:
        t.join()
