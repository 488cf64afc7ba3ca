"""The pipeline a user would copy from LangChain's RAG tutorial, for side-by-side evaluation.

RecursiveCharacterTextSplitter (1,000/200, ``add_start_index``), the same MiniLM
embeddings in Chroma, top 4, the tutorial prompt, and the same GGUF through
LangChain's ``ChatLlamaCpp``.  Only its context size is raised (the default 512
tokens cannot hold four 1,000-character chunks) and decoding made greedy, as ours.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from assistant.answer.condense import condense, parse_history
from assistant.answer.generate import not_found_sentence
from assistant.answer.result import AnswerResult
from assistant.config import Settings, read_prompt
from assistant.ingest.load import LoadError, iter_files, read_article
from assistant.retrieve.retriever import Passage
from assistant.store.embed import get_index_embedder

K = 4
# The tutorial's prompt tells the model to "say that you don't know"; these are the ways its
# answers do that.  Used only to score the tutorial's refusals, never by the assistant.
TUTORIAL_REFUSAL = re.compile(
    r"\b(?:articles?|passages?|text|context|sources?) (?:do|does) not (?:say|contain|mention|provide|specify|state)"
    r"|\bno (?:information|mention)\b|\bnot (?:mentioned|provided|specified|stated)\b"
    r"|\bcannot (?:be )?(?:answer|determine|find)|\bdon't know\b|\bdo not know\b",
    re.I,
)


class TutorialBaseline:
    """Build the tutorial index in a temporary Chroma store and answer like the tutorial."""

    def __init__(self, settings: Settings, paths: Iterable[Path]) -> None:
        import chromadb
        from langchain_chroma import Chroma
        from langchain_community.chat_models import ChatLlamaCpp
        from langchain_core.documents import Document
        from langchain_core.prompts import ChatPromptTemplate
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from assistant.llm.model_file import ensure_model

        docs = []
        for path, problem in iter_files(paths):
            if problem is None:
                try:
                    a = read_article(path, settings.max_file_bytes)
                except LoadError:
                    continue
                docs.append(
                    Document(page_content=a.text, metadata={"source": a.source, "path": str(a.path), "title": a.title})
                )
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
        splits = splitter.split_documents(docs)
        self._tmp = tempfile.TemporaryDirectory()
        client = chromadb.PersistentClient(
            path=self._tmp.name, settings=chromadb.config.Settings(anonymized_telemetry=False)
        )
        self.store = Chroma(collection_name="tutorial", embedding_function=get_index_embedder(), client=client)
        self.store.add_documents(splits)
        model_path = settings.llm_model or str(ensure_model(settings.cache_dir, say=lambda m: None))
        self.llm = ChatLlamaCpp(
            model_path=model_path,
            n_ctx=4096,
            n_batch=512,
            temperature=0.0,
            top_k=1,
            max_tokens=settings.max_tokens,
            verbose=False,
            streaming=True,
        )
        self.prompt = ChatPromptTemplate.from_messages([("human", read_prompt("baseline_tutorial"))])
        self.model_name = f"tutorial:{Path(model_path).name}"

    def search(self, question: str, k: int | None = None) -> list[Passage]:
        """The tutorial's similarity search: the top ``k`` splits (the tutorial's 4 by default)."""
        out = []
        for d in self.store.similarity_search(question, k=k or K):
            start = int(d.metadata.get("start_index", 0))
            out.append(
                Passage(
                    chunk_id=str(d.id or ""),
                    source=d.metadata["source"],
                    title=d.metadata.get("title", ""),
                    text=d.page_content,
                    start=start,
                    end=start + len(d.page_content),
                    score=0.0,
                    path=d.metadata["path"],
                )
            )
        return out

    def answer(self, question: str, history: Any = None, k: int | None = None) -> AnswerResult:
        """The tutorial chain on the standalone question (a follow-up is read with its history,
        as the evaluation reads it for the baseline's retrieval)."""
        t0 = time.perf_counter()
        question = condense(question, parse_history(history))
        passages = self.search(question, k)
        t1 = time.perf_counter()
        context = "\n\n".join(p.text for p in passages)
        first = None
        text = ""
        for chunk in (self.prompt | self.llm).stream({"question": question, "context": context}):
            if chunk.content and first is None:
                first = time.perf_counter()
            text += str(chunk.content)
        t2 = time.perf_counter()
        refused = bool(TUTORIAL_REFUSAL.search(text)) and len(text) < 200
        return AnswerResult(
            question=question,
            answer=not_found_sentence() if refused else text.strip(),
            status="not_found" if refused else "answered",
            method="not_found" if refused else "generated",
            citations=[],
            retrieved=passages,
            model=self.model_name,
            timings_ms={
                "retrieve": round((t1 - t0) * 1000, 1),
                "first_token": round(((first or t2) - t0) * 1000, 1),
                "generate": round((t2 - t1) * 1000, 1),
                "total": round((time.perf_counter() - t0) * 1000, 1),
            },
        )
