"""A LangChain ``BaseRetriever`` over :class:`assistant.retrieve.retriever.Retriever`.

Kept apart from :mod:`assistant.retrieve.retriever` so that the CLI's own searches do not import
LangChain's retriever and tracing machinery (about 0.2 s of every cold start).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict


class NewsRetriever(BaseRetriever):
    """LangChain retriever over :class:`Retriever`; metadata carries the exact span."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    engine: Any
    k: int = 5

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(page_content=p.text, metadata={**asdict(p), "text": None}, id=p.chunk_id)
            for p in self.engine.search(query, self.k)
        ]
