"""Stage 5: cited answers.

question (+ history) → standalone question → hybrid retrieval → a few numbered
evidence spans (best sentences of the top passages) → LLM (streamed) → every
citation marker checked against the span it points to; bad markers are dropped,
uncited sentences are attributed to the span that supports them.

A citation is only ever shown for an exact span: ``source_text[start:end] == text``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.prompts import ChatPromptTemplate

from .attribution import question_speaker
from .chunk import split_sentences
from .condense import condense, parse_history
from .config import Settings, read_prompt
from .errors import BackendError
from .lexical import tokenize
from .retrieve import Passage, Retriever, check_question

__all__ = ["Answerer", "AnswerResult", "Citation", "Evidence", "parse_history"]

NOT_FOUND = "The articles do not say."
EVIDENCE_BUDGET = 1000  # characters of evidence sent to the model
MAX_EVIDENCE = 6
SUPPORT_THRESHOLD = 0.5  # sentence/evidence support needed to keep or add a citation
REFUSAL_RE = re.compile(
    r"\b(?:articles?|passages?|text|sources?) (?:do|does) not (?:say|contain|mention|provide|specify|state)"
    r"|\bno (?:information|mention)\b|\bnot (?:mentioned|provided|specified|stated)\b"
    r"|\bcannot (?:be )?(?:answer|determine|find)|\bdon't know\b|\bdo not know\b",
    re.I,
)
# [1], [12], and lists such as [1, 2] or [1;3]; every number in them is checked.
MARKER_RE = re.compile(r"\s*\[\s*(\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\s*\]")


@dataclass
class Span:
    """An exact span of a source file: ``read_text(path)[start:end] == text``."""

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
    """A numbered span given to the model."""

    n: int = 0


@dataclass
class Citation(Span):
    """A checked citation marker and the exact span it points to."""

    marker: int = 0


@dataclass
class AnswerResult:
    """The full result of one question."""

    question: str
    answer: str
    status: str
    citations: list[Citation]
    retrieved: list[Passage]
    model: str
    timings_ms: dict[str, float]
    standalone_question: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    checks: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "status": self.status,
            "citations": [{k: v for k, v in asdict(c).items() if k != "path"} for c in self.citations],
            "retrieved": [p.to_json() for p in self.retrieved],
            "model": self.model,
            "timings_ms": self.timings_ms,
            "standalone_question": self.standalone_question,
            "citation_checks": self.checks,
        }


def _content_terms(text: str) -> set[str]:
    return {t for t in tokenize(text) if len(t) > 2}


def lexical_support(sentence: str, evidence: str) -> float:
    """Share of the sentence's content words that appear in the evidence."""
    s = _content_terms(sentence)
    if not s:
        return 0.0
    return len(s & _content_terms(evidence)) / len(s)


class Answerer:
    """Answers questions with checked citations; load once, reuse for many questions."""

    def __init__(self, settings: Settings, retriever: Retriever | None = None, llm: Any = None, say=print) -> None:
        from .llm import describe, get_llm

        self.settings = settings
        self.retriever = retriever or Retriever(settings)
        self.llm = llm if llm is not None else get_llm(settings, say=say)
        self.model_name = describe(settings)
        self.prompt = ChatPromptTemplate.from_messages(
            [("system", read_prompt("answer_system")), ("human", read_prompt("answer_user"))]
        )
        self.passage_template = read_prompt("passage").strip()

    # -- evidence --------------------------------------------------------
    def select_evidence(self, question: str, passages: list[Passage]) -> list[Evidence]:
        """The best sentences of the top passages, merged per passage, within the budget."""
        embedder = self.retriever.embedder
        q_terms = _content_terms(question)
        cands: list[tuple[float, int, tuple[int, int]]] = []
        sentences: list[tuple[int, tuple[int, int], str]] = []
        for rank, p in enumerate(passages):
            for a, b in split_sentences(p.text):
                sentences.append((rank, (p.start + a, p.start + b), p.text[a:b]))
        if not sentences:
            return []
        qv = np.asarray(embedder.embed_query(question))
        sv = np.asarray(embedder.embed_documents([s[2] for s in sentences]))
        sims = sv @ qv
        for (rank, span, text), sim in zip(sentences, sims, strict=True):
            overlap = len(q_terms & _content_terms(text)) / max(1, len(q_terms))
            prior = 0.15 * (len(passages) - rank) / len(passages)
            speaker = 0.15 if passages[rank].speaker_match else 0.0
            cands.append((0.55 * float(sim) + 0.3 * overlap + prior + speaker, rank, span))
        cands.sort(reverse=True)
        chosen: dict[int, list[tuple[int, int]]] = {}
        used = 0
        for _score, rank, span in cands:
            length = span[1] - span[0]
            if used and used + length > EVIDENCE_BUDGET:
                continue
            if len(chosen) >= MAX_EVIDENCE and rank not in chosen:
                continue
            chosen.setdefault(rank, []).append(span)
            used += length
        evidence: list[Evidence] = []
        for rank in sorted(chosen):
            p = passages[rank]
            spans = sorted(chosen[rank])
            # Merge adjacent sentences of one passage into one span (the gap is whitespace only).
            merged = [spans[0]]
            for a, b in spans[1:]:
                gap = p.text[merged[-1][1] - p.start : a - p.start]
                if not gap.strip():
                    merged[-1] = (merged[-1][0], b)
                else:
                    merged.append((a, b))
            for a, b in merged:
                span = span_fields(p) | {"text": p.text[a - p.start : b - p.start], "start": a, "end": b}
                evidence.append(Evidence(n=len(evidence) + 1, **span))
        return evidence

    @staticmethod
    def _label(e: Evidence, passages: list[Passage], question: str) -> str:
        """The passage's headline, and who speaks in it (full name when the question gives one)."""
        label = e.title or Path(e.source).name
        p = next((p for p in passages if p.chunk_id == e.chunk_id), None)
        if p is None:
            return label
        speaker = question_speaker(question) if p.speaker_match else ""
        speaker = speaker or p.quote_of or (p.speakers[0] if p.speakers else "")
        return f"{label}; speaker: {speaker}" if speaker else label

    def no_context(self, question: str, passages: list[Passage]) -> bool:
        """Retrieval-side refusal: nothing retrieved is about the question."""
        if not passages:
            return True
        if any(p.speaker_match for p in passages):
            return False
        q_terms = _content_terms(question)
        seen: set[str] = set()
        for p in passages:
            seen |= _content_terms(p.title + " " + p.text)
        coverage = len(q_terms & seen) / max(1, len(q_terms))
        best_dense = max(p.dense for p in passages)
        return best_dense < 0.45 and coverage < 0.75

    def quote_fallback(self, question: str, passages: list[Passage], evidence: list[Evidence]) -> str:
        """An extractive answer: the evidence span, from a passage where the asked-about person
        speaks, that shares the most words with the question."""
        speaking = {p.chunk_id: p for p in passages if p.speaker_match}
        candidates = [e for e in evidence if e.chunk_id in speaking]
        if not candidates:
            return ""
        best = max(candidates, key=lambda e: (lexical_support(question, e.text), -e.n))
        p = speaking[best.chunk_id]
        who = question_speaker(question) or (p.speakers or [p.quote_of])[0]
        return f"According to the articles, {who} said: “{' '.join(best.text.split())}” [{best.n}]"

    # -- citations -------------------------------------------------------
    def check_citations(self, answer: str, evidence: list[Evidence]) -> tuple[str, list[Citation], dict[str, int]]:
        """Keep markers whose span supports their sentence; drop bad ones; attribute uncited sentences."""
        checks = {"kept": 0, "dropped": 0, "added": 0, "uncited_sentences": 0}
        if not evidence:
            cleaned = MARKER_RE.sub("", answer).strip()
            return cleaned, [], checks
        embedder = self.retriever.embedder
        ev_vecs = np.asarray(embedder.embed_documents([e.text for e in evidence]))
        out_parts: list[str] = []
        used: list[int] = []
        last = 0
        spans = split_sentences(answer)
        sent_texts = [MARKER_RE.sub("", answer[a:b]).strip() for a, b in spans]
        sent_vecs = np.asarray(embedder.embed_documents([t or "." for t in sent_texts]))
        for (a, b), plain, vec in zip(spans, sent_texts, sent_vecs, strict=True):
            raw = answer[a:b]
            out_parts.append(answer[last:a])
            last = b
            markers = [int(n) for group in MARKER_RE.findall(raw) for n in re.split(r"\s*[,;]\s*", group)]
            scores = [max(lexical_support(plain, e.text), float(ev_vecs[i] @ vec)) for i, e in enumerate(evidence)]
            keep: list[int] = []
            for m in markers:
                if 1 <= m <= len(evidence) and scores[m - 1] >= SUPPORT_THRESHOLD and m not in keep:
                    keep.append(m)
                    checks["kept"] += 1
                else:
                    checks["dropped"] += 1
            if not keep and len(_content_terms(plain)) >= 2:
                best = int(np.argmax(scores))
                if scores[best] >= SUPPORT_THRESHOLD:
                    keep.append(best + 1)
                    checks["added"] += 1
                else:
                    checks["uncited_sentences"] += 1
            body = plain
            tail = ""
            m_end = re.search(r"[.!?…]+[”\"’)]*$", body)
            if m_end:
                body, tail = body[: m_end.start()], body[m_end.start() :]
            out_parts.append(body + "".join(f" [{m}]" for m in keep) + tail)
            used.extend(m for m in keep if m not in used)
        out_parts.append(answer[last:])
        text = re.sub(r"[ \t]+", " ", "".join(out_parts)).strip()
        citations = [Citation(marker=m, **span_fields(evidence[m - 1])) for m in used]
        return text, citations, checks

    # -- the whole pipeline ----------------------------------------------
    def stream(
        self, question: str, history: list[dict[str, str]] | None = None, k: int | None = None
    ) -> Iterator[str | AnswerResult]:
        """Yield answer tokens as they arrive, then the final :class:`AnswerResult`."""
        t0 = time.perf_counter()
        question = check_question(question, self.settings)
        standalone = condense(question, parse_history(history))
        passages = self.retriever.search(standalone, k)
        t_retrieved = time.perf_counter()
        timings = {"retrieve": (t_retrieved - t0) * 1000}
        evidence: list[Evidence] = []
        raw = ""
        first = None
        if self.no_context(standalone, passages):
            raw = NOT_FOUND
            yield raw
        else:
            evidence = self.select_evidence(standalone, passages)
            passages_text = "\n".join(
                self.passage_template.format(
                    n=e.n, source=self._label(e, passages, standalone), text=" ".join(e.text.split())
                )
                for e in evidence
            )
            messages = self.prompt.format_messages(passages=passages_text, question=standalone)
            try:
                for chunk in self.llm.stream(messages):
                    token = str(chunk.content)
                    if not token:
                        continue
                    if first is None:
                        first = time.perf_counter()
                    raw += token
                    yield token
            except BackendError as exc:
                raise BackendError(str(exc), passages) from None
            except Exception as exc:  # connection refused, HTTP errors, timeouts
                raise BackendError(
                    f"the LLM backend ({self.model_name}) failed: {type(exc).__name__}: {exc}", passages
                ) from None
        t_done = time.perf_counter()
        refused = not raw.strip() or bool(REFUSAL_RE.search(raw)) and len(raw) < 200
        if refused and evidence and any(p.speaker_match for p in passages):
            # The person does speak in the articles: report their words verbatim rather than refuse.
            raw = self.quote_fallback(standalone, passages, evidence)
            refused = not raw
        if refused:
            answer, citations, checks = NOT_FOUND, [], {}
        else:
            answer, citations, checks = self.check_citations(raw.strip(), evidence)
            if not citations:
                refused = self.no_context(standalone, passages[:2]) or not answer
                if refused:
                    answer = NOT_FOUND
        timings["first_token"] = ((first or t_done) - t0) * 1000
        timings["generate"] = (t_done - t_retrieved) * 1000
        timings["total"] = (time.perf_counter() - t0) * 1000
        yield AnswerResult(
            question=question,
            standalone_question=standalone,
            answer=answer,
            status="not_found" if refused else "answered",
            citations=citations,
            retrieved=passages,
            model=self.model_name,
            timings_ms={k: round(v, 1) for k, v in timings.items()},
            evidence=evidence,
            checks=checks,
        )

    def answer(self, question: str, history: list[dict[str, str]] | None = None, k: int | None = None) -> AnswerResult:
        """Run :meth:`stream` to the end and return the result."""
        result = None
        for item in self.stream(question, history, k):
            if isinstance(item, AnswerResult):
                result = item
        assert result is not None
        return result
