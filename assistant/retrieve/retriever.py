"""Stage 4: hybrid retrieval (dense Chroma + BM25, reciprocal rank fusion).

For "What did X say …" questions, passages in which X is the speaker (by the
attribution rules in :mod:`assistant.ingest.attribution`) rank ahead of passages that
merely mention X.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from assistant.config import Settings, check_question
from assistant.errors import IndexMissingError
from assistant.ingest.attribution import name_parts, question_speaker, same_person
from assistant.ingest.load import page_at
from assistant.policy import Policy
from assistant.retrieve.filters import Filters, nothing_matches
from assistant.store.bm25 import BM25, idf_function
from assistant.store.bm25_file import open_lexical
from assistant.store.chroma import index_version, open_collection
from assistant.store.embed import query_embedder
from assistant.store.vectors import Embedder


@dataclass
class Passage:
    """A retrieved chunk; ``text == source_text(source)[start:end]`` (:func:`assistant.ingest.load.source_text`)."""

    chunk_id: str
    source: str
    title: str
    text: str
    start: int
    end: int
    score: float
    publisher: str = ""
    date: str = ""
    path: str = ""
    dense: float = 0.0
    lexical: float = 0.0
    speakers: list[str] = field(default_factory=list)
    quote_of: str = ""
    speaker_match: bool = False

    def to_json(self) -> dict[str, Any]:
        """The public JSON shape of a passage."""
        d = asdict(self)
        keep = ("chunk_id", "source", "title", "publisher", "date", "text", "start", "end", "score")
        return {k: d[k] for k in keep} | {"page": page_at(self.path or self.source, self.start)}


def _speakers(meta: dict[str, Any]) -> list[str]:
    """The names a chunk attributes speech to (stored as "A; B")."""
    return [n for n in str(meta.get("speakers", "")).split("; ") if n]


def chunk_speakers(meta: dict[str, Any]) -> list[str]:
    """Everyone speaking in a chunk: its own attributions and the quote it continues."""
    return _speakers(meta) + ([meta["quote_of"]] if meta.get("quote_of") else [])


@dataclass(frozen=True)
class _Snapshot:
    """One consistent view of the index: :meth:`Retriever.refresh` swaps it whole, a search reads one."""

    version: str
    collection: Any
    ids: list[str]
    docs: list[str]
    metas: list[dict[str, Any]]
    row: dict[str, int]
    bm25: BM25
    by_name: dict[str, set[int]]
    idf: Callable[[str], float]
    articles: list[dict[str, Any]]  # one per article file: source, path, title, publisher, date, chunks
    article_of: np.ndarray  # row -> its article's index in ``articles``

    def allowed(self, filters: Filters | None) -> np.ndarray | None:
        """A mask of the rows that pass ``filters`` (None: no filter, every row)."""
        if not filters:
            return None
        keep = np.array([filters.matches(a) for a in self.articles], dtype=bool)
        rows = keep[self.article_of]
        if not rows.any():
            raise nothing_matches(filters, [a["publisher"] for a in self.articles])
        return rows


def _snapshot(settings: Settings, collection: Any, version: str) -> _Snapshot:
    """The lexical index (loaded from disk when it is of this version) and the caches over it."""
    lex = open_lexical(settings, collection, version)
    if not lex.ids:
        raise IndexMissingError("the index is empty; add articles with: assistant index [PATH ...]")
    by_name: dict[str, set[int]] = {}
    for i, m in enumerate(lex.metas):
        for n in chunk_speakers(m):
            for part in name_parts(n):  # cached: the same names come again and again
                by_name.setdefault(part, set()).add(i)
    article_index: dict[str, int] = {}
    articles: list[dict[str, Any]] = []
    of_row = np.empty(len(lex.metas), dtype=np.int64)
    for i, m in enumerate(lex.metas):
        src = str(m.get("source", ""))
        a = article_index.get(src)
        if a is None:
            a = article_index[src] = len(articles)
            articles.append({k: str(m.get(k, "")) for k in ("source", "path", "title", "publisher", "date")})
            articles[-1]["chunks"] = 0
        articles[a]["chunks"] += 1
        of_row[i] = a
    return _Snapshot(
        version=version,
        collection=collection,
        ids=lex.ids,
        docs=lex.docs,
        metas=lex.metas,
        row={cid: i for i, cid in enumerate(lex.ids)},
        bm25=lex.bm25,
        by_name=by_name,
        idf=idf_function(lex.bm25.document_frequency, lex.bm25.n),
        articles=articles,
        article_of=of_row,
    )


def source_choices(articles: list[dict[str, Any]]) -> list[str]:
    """The publishers of ``articles``, most articles first, then the folders they are in."""
    publishers = Counter(a["publisher"] for a in articles if a["publisher"])
    folders = sorted({os.path.dirname(a["source"]) for a in articles if a["source"]})
    return [p for p, _ in publishers.most_common()] + folders


def _speaking_rows(snap: _Snapshot, speaker: str) -> set[int]:
    """Rows of the chunks where ``speaker`` (any form of the name) speaks."""
    rows = {i for part in name_parts(speaker) for i in snap.by_name.get(part, ())}
    return {i for i in rows if any(same_person(speaker, x) for x in chunk_speakers(snap.metas[i]))}


class Retriever:
    """Hybrid retriever over one Chroma collection; thread-safe for queries.

    Every search works on one immutable :class:`_Snapshot`; a refresh builds a new one
    and replaces the reference in a single assignment, so a search never mixes two.
    """

    def __init__(self, settings: Settings, embedder: Embedder | None = None, policy: Policy | None = None) -> None:
        self.settings = settings
        self.policy = policy or settings.load_policy()
        self._lock = threading.Lock()
        self._checked = 0.0
        self._snap: _Snapshot | None = None
        self.refresh(force=True)  # before loading the embedder: a missing index fails at once
        self.embedder = embedder or query_embedder(settings)

    @property
    def idf(self) -> Callable[[str], float]:
        """IDF weights of the current snapshot's words."""
        return self._snap.idf

    @property
    def metas(self) -> list[dict[str, Any]]:
        """Metadata of every chunk in the current snapshot."""
        return self._snap.metas

    @property
    def version(self) -> str:
        """The index version of the current snapshot (changes whenever indexing changes it)."""
        return self._snap.version

    def speaker_paths(self, speaker: str, filters: Filters | None = None) -> list[str]:
        """The article files (among those that pass ``filters``) in which ``speaker`` speaks."""
        snap = self._snap
        allowed = snap.allowed(filters)
        rows = {i for i in _speaking_rows(snap, speaker) if allowed is None or allowed[i]}
        return sorted({str(snap.metas[i].get("path") or "") for i in rows} - {""})

    @property
    def articles(self) -> list[dict[str, Any]]:
        """One entry per indexed article file: ``source``, ``path``, ``title``, ``publisher``,
        ``date`` and its number of ``chunks``."""
        return self._snap.articles

    def source_choices(self) -> list[str]:
        """What a source filter can name here: the publishers, most articles first, then the folders."""
        return source_choices(self._snap.articles)

    # -- caches ----------------------------------------------------------
    def refresh(self, force: bool = False) -> None:
        """Swap in a new snapshot when the index version changed (checked at most once a second)."""
        with self._lock:
            if not force and time.monotonic() - self._checked < 1.0:
                return
            self._checked = time.monotonic()
            collection = open_collection(self.settings)
            version = index_version(collection)
            if self._snap is not None and version == self._snap.version and not force:
                return
            self._snap = _snapshot(self.settings, collection, version)

    # -- search ----------------------------------------------------------
    def search(self, question: str, k: int | None = None, filters: Filters | None = None) -> list[Passage]:
        """The ``k`` best passages for ``question`` among those that pass ``filters``.

        The filters restrict the store's query (a ``where`` on the articles that pass) and mask
        the lexical scores, so nothing outside them is ranked at all."""
        question = check_question(question, self.settings)
        k = max(1, min(int(k or self.settings.k), 50))
        self.refresh()
        snap = self._snap  # everything below reads this one snapshot
        allowed = snap.allowed(filters)
        fused: dict[int, float] = {}
        dense_sim = _dense(snap, self.embedder.embed_query(question), allowed, self.policy, fused)
        lex_scores, lex_rank = _lexical(snap, question, allowed, self.policy, fused)
        speaker = question_speaker(question)
        speaking = {i for i in _speaking_rows(snap, speaker) if allowed is None or allowed[i]} if speaker else set()
        for i in speaking:
            if i not in fused and lex_scores[i] > 0:
                fused[i] = 1.0 / (self.policy.rrf_k + int(lex_rank[i]) + 1)
            fused.setdefault(i, 0.0)
        ranked = sorted(fused, key=lambda i: (i in speaking, fused[i]), reverse=True)[:k]
        return [_passage(snap, i, fused[i], dense_sim.get(i, 0.0), float(lex_scores[i]), i in speaking) for i in ranked]


def _dense(
    snap: _Snapshot, qvec: list[float], allowed: np.ndarray | None, policy: Policy, fused: dict[int, float]
) -> dict[int, float]:
    """The store's nearest chunks (only those ``allowed``), added to ``fused`` by rank; their similarities."""
    searched = len(snap.ids) if allowed is None else int(allowed.sum())
    where = None
    if searched < len(snap.ids):
        sources = sorted({snap.articles[a]["source"] for a in np.unique(snap.article_of[allowed])})
        where = {"source": sources[0]} if len(sources) == 1 else {"source": {"$in": sources}}
    res = snap.collection.query(
        query_embeddings=[qvec], n_results=min(policy.candidates, searched), include=["distances"], where=where
    )
    dense_sim: dict[int, float] = {}
    for rank, (cid, dist) in enumerate(zip(res["ids"][0], res["distances"][0])):
        i = snap.row.get(cid)
        if i is not None:
            dense_sim[i] = 1.0 - float(dist)
            fused[i] = fused.get(i, 0.0) + 1.0 / (policy.rrf_k + rank + 1)
    return dense_sim


def _lexical(
    snap: _Snapshot, question: str, allowed: np.ndarray | None, policy: Policy, fused: dict[int, float]
) -> tuple[np.ndarray, np.ndarray]:
    """BM25 scores (zero outside ``allowed``) and ranks of every chunk; the best added to ``fused``."""
    n = len(snap.ids)
    scores = snap.bm25.scores(question)
    if allowed is not None:
        scores[~allowed] = 0.0
    order = np.argsort(-scores)
    rank_of = np.empty(n, dtype=np.int64)
    rank_of[order] = np.arange(n)
    for rank, i in enumerate(order[: policy.candidates]):
        if scores[i] <= 0:
            break
        fused[int(i)] = fused.get(int(i), 0.0) + 1.0 / (policy.rrf_k + rank + 1)
    return scores, rank_of


def _passage(snap: _Snapshot, i: int, score: float, dense: float, lexical: float, speaker_match: bool) -> Passage:
    m = snap.metas[i]
    return Passage(
        chunk_id=snap.ids[i],
        source=str(m.get("source", "")),
        title=str(m.get("title", "")),
        publisher=str(m.get("publisher", "")),
        date=str(m.get("date", "")),
        path=str(m.get("path", "")),
        text=snap.docs[i],
        start=int(m.get("start", 0)),
        end=int(m.get("end", 0)),
        score=round(score, 6),
        dense=round(dense, 4),
        lexical=round(lexical, 4),
        speakers=_speakers(m),
        quote_of=str(m.get("quote_of", "")),
        speaker_match=speaker_match,
    )
