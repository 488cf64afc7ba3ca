"""Test doubles for pure-logic tests: a scripted chat model, a bag-of-words embedder, and a
retriever over one small invented article."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from assistant.ingest.attribution import same_person
from assistant.retrieve.retriever import Passage
from assistant.store.bm25 import BM25, idf_function


class ScriptedChatModel(BaseChatModel):
    """Answers each call with the next scripted reply, streamed word by word.

    ``p_yes`` (optional) is what :meth:`yes_probability` returns, as the embedded backend
    would; ``prompts`` records every prompt it was given.
    """

    replies: list[str]
    p_yes: float | None = None
    prompts: list[list[BaseMessage]] = []
    verify_prompts: list[list[BaseMessage]] = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _next(self, messages: list[BaseMessage]) -> str:
        self.prompts.append(messages)
        return self.replies[min(len(self.prompts), len(self.replies)) - 1]

    def _stream(self, messages: list[BaseMessage], stop=None, run_manager=None, **kw: Any) -> Iterator:
        for word in re.findall(r"\S+\s*", self._next(messages)):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word), generation_info={"logprobs": [-0.1]})

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kw: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._next(messages)))])

    def yes_probability(self, messages: list[BaseMessage]) -> float | None:
        self.verify_prompts.append(messages)
        return self.p_yes


class HashEmbedder(Embeddings):
    """Deterministic bag-of-words vectors: texts sharing words have a high cosine."""

    dim = 256

    def _vec(self, text: str) -> list[float]:
        v = np.zeros(self.dim)
        for w in re.findall(r"\w+", text.lower()):
            v[int(hashlib.md5(w.encode()).hexdigest(), 16) % self.dim] += 1.0
        n = np.linalg.norm(v)
        return (v / n if n else v).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vec(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vec(text)


ARTICLE = """Talks to resume in Geneva

The foreign minister of Norland, Anna Berg, said on Tuesday that the talks would resume in March.

“We are not giving up on a deal,” Berg said.

The two sides last met five years ago in Vienna, officials said.
"""


class StubRetriever:
    """Every paragraph of the article is a passage; Berg speaks in the second."""

    def __init__(self, path: Path, speaker_question: bool = False) -> None:
        text = path.read_text(encoding="utf-8")
        self.embedder = HashEmbedder()
        self.passages = []
        for i, para in enumerate(p for p in text.split("\n\n")[1:] if p.strip()):
            start = text.index(para)
            para = para.strip()
            self.passages.append(
                Passage(
                    chunk_id=f"c{i}",
                    source=str(path),
                    path=str(path),
                    title="Talks to resume in Geneva",
                    text=para,
                    start=start,
                    end=start + len(para),
                    score=1.0 - i / 10,
                    dense=0.7,
                    speakers=["Berg"] if "Berg said" in para else [],
                    speaker_match=speaker_question and "Berg said" in para,
                )
            )
        bm25 = BM25([p.text for p in self.passages])
        self.idf = idf_function(bm25.document_frequency, bm25.n)

    def search(self, question: str, k: int | None = None, filters: Any = None) -> list[Passage]:
        return list(self.passages)

    def speaker_paths(self, speaker: str, filters: Any = None) -> list[str]:
        """The article files where ``speaker`` speaks (as :meth:`assistant.retrieve.retriever.Retriever.speaker_paths`)."""
        return sorted({p.path for p in self.passages if any(same_person(speaker, s) for s in p.speakers)})
