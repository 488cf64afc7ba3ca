"""Evidence selection: the best sentences of the top passages, numbered, within a budget.

The model reads only these spans, so each is an exact span of its source file
(``source_text(path)[start:end] == text``) and every citation can point at one.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from assistant.answer.support import content_terms
from assistant.ingest.attribution import question_speaker
from assistant.ingest.chunk import split_sentences
from assistant.policy import Policy
from assistant.retrieve.retriever import Passage


@dataclass
class Span:
    """An exact span of a source file: ``source_text(path)[start:end] == text``."""

    chunk_id: str
    source: str
    path: str
    title: str
    publisher: str
    date: str
    text: str
    start: int
    end: int


def span_fields(obj: Any) -> dict[str, Any]:
    """The :class:`Span` fields of ``obj`` (a Span or a retrieved Passage)."""
    return {f.name: getattr(obj, f.name) for f in fields(Span)}


@dataclass
class Evidence(Span):
    """A numbered span given to the model, with who speaks in its passage."""

    n: int = 0
    speaker: str = ""


def passage_speaker(p: Passage, question: str) -> str:
    """Who speaks in a passage (the question's spelling of the name when it asks about them)."""
    speaker = question_speaker(question) if p.speaker_match else ""
    return speaker or p.quote_of or (p.speakers[0] if p.speakers else "")


def select_evidence(question: str, passages: list[Passage], embedder: Any, policy: Policy) -> list[Evidence]:
    """The best sentences of ``passages`` for ``question``, merged per passage, within the budget."""
    sentences: list[tuple[int, tuple[int, int], str]] = []
    for rank, p in enumerate(passages):
        for a, b in split_sentences(p.text):
            sentences.append((rank, (p.start + a, p.start + b), p.text[a:b]))
    if not sentences:
        return []
    q_terms = content_terms(question)
    qv = np.asarray(embedder.embed_query(question))
    sims = np.asarray(embedder.embed_documents([s[2] for s in sentences])) @ qv
    cands: list[tuple[float, int, tuple[int, int]]] = []
    for (rank, span, text), sim in zip(sentences, sims, strict=True):
        overlap = len(q_terms & content_terms(text)) / max(1, len(q_terms))
        prior = policy.w_rank_prior * (len(passages) - rank) / len(passages)
        speaker = policy.w_speaker if passages[rank].speaker_match else 0.0
        score = policy.w_sentence_dense * float(sim) + policy.w_sentence_overlap * overlap + prior + speaker
        cands.append((score, rank, span))
    cands.sort(reverse=True)
    chosen: dict[int, list[tuple[int, int]]] = {}
    used = 0
    for _score, rank, span in cands:
        length = span[1] - span[0]
        if used and used + length > policy.evidence_budget:
            continue
        if len(chosen) >= policy.max_evidence and rank not in chosen:
            continue
        chosen.setdefault(rank, []).append(span)
        used += length
    evidence: list[Evidence] = []
    for rank in sorted(chosen):
        p = passages[rank]
        for a, b in _merge_adjacent(p, sorted(chosen[rank])):
            span = span_fields(p) | {"text": p.text[a - p.start : b - p.start], "start": a, "end": b}
            evidence.append(Evidence(n=len(evidence) + 1, speaker=passage_speaker(p, question), **span))
    return evidence


def _merge_adjacent(p: Passage, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Adjacent sentences of one passage become one span (the gap between them is whitespace)."""
    merged = [spans[0]]
    for a, b in spans[1:]:
        if not p.text[merged[-1][1] - p.start : a - p.start].strip():
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def label(e: Evidence) -> str:
    """What the model sees before a span's text: who speaks in it, if anyone.  (The headline is
    left out: it costs the model about as many tokens as the span, and the reader still sees it.)"""
    return f"(speaker: {e.speaker}) " if e.speaker else ""
