"""Stage 5: cited answers.

question (+ history) → standalone question → hybrid retrieval → numbered evidence spans
(:mod:`assistant.answer.evidence`) → the LLM, streamed (:mod:`assistant.answer.generate`) → every sentence
measured against every span (:mod:`assistant.answer.citations`, :mod:`assistant.answer.support`) → the
refusal policy decides what is shown (:mod:`assistant.answer.refusal`).

A citation is only ever shown for an exact span (``source_text[start:end] == text``) that
passed the support check for its sentence.  An answer with no supported sentence is
``not_found``, and the closest passages are offered instead.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.answer.citations import measure_sentences, render
from assistant.answer.condense import condense, parse_history
from assistant.answer.conflicts import Conflict, find_conflicts
from assistant.answer.evidence import Evidence, Span, select_evidence, span_fields
from assistant.answer.generate import Generation, Generator, not_found_sentence
from assistant.answer.refusal import (
    Decision,
    Features,
    decide,
    leads,
    measure_evidence,
    measure_retrieval,
    retrieval_refuses,
    support_score,
)
from assistant.config import Settings, read_prompt
from assistant.errors import BackendError
from assistant.ingest.attribution import question_speaker
from assistant.policy import Policy
from assistant.retrieve.retriever import Passage, Retriever, check_question

__all__ = ["Answerer", "AnswerResult", "Citation", "Evidence", "Retrieved", "StreamReader", "parse_history"]


@dataclass
class Citation(Span):
    """A checked citation marker, the exact span it points to, and the support check's verdict."""

    marker: int = 0
    support: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Retrieved:
    """Sent in the answer stream as soon as retrieval is done, before the first token."""

    passages: list[Passage]


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
    method: str = "not_found"
    reason: str = ""
    removed: list[dict[str, str]] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    checks: dict[str, int] = field(default_factory=dict)
    features: Features | None = None
    raw_answer: str = ""
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    speaker_quotes: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "status": self.status,
            "method": self.method,
            "reason": self.reason,
            "citations": [{k: v for k, v in asdict(c).items() if k != "path"} for c in self.citations],
            "removed": self.removed,
            "retrieved": [p.to_json() for p in self.retrieved],
            "model": self.model,
            "timings_ms": self.timings_ms,
            "standalone_question": self.standalone_question,
            "citation_checks": self.checks,
            "conflicts": self.conflicts,
            "speaker_quotes": self.speaker_quotes,
        }


class Answerer:
    """Answers questions with checked citations; load once, reuse for many questions.

    ``llm`` is any LangChain chat model (a scripted fake in unit tests); ``policy`` holds every
    threshold; ``system_prompt`` names the file in ``prompts/`` that instructs the model.  With ``record=True`` every measurement is taken even where the policy would
    stop early (used by ``assistant eval --calibrate``).
    """

    def __init__(
        self,
        settings: Settings,
        retriever: Retriever | None = None,
        llm: Any = None,
        say=print,
        policy: Policy | None = None,
        system_prompt: str = "answer_system",
    ) -> None:
        from assistant.llm import describe, get_llm

        self.settings = settings
        self.policy = policy or settings.load_policy()
        self.model_name = describe(settings)
        llm = llm if llm is not None else get_llm(settings, say=say)
        self.generator = Generator(llm, self.model_name, system_prompt)
        self.generator.warm_up(settings.cache_dir)  # the model loads while the index does
        try:
            self.retriever = retriever or Retriever(settings, policy=self.policy)
        except BaseException:
            # llama.cpp silences stdout and stderr while it loads; let the error be seen.
            self.generator.wait()
            raise
        self.record = False

    @property
    def llm(self) -> Any:
        return self.generator.llm

    def stream(
        self, question: str, history: list[dict[str, str]] | None = None, k: int | None = None
    ) -> Iterator[str | Retrieved | AnswerResult]:
        """Yield the passages found (:class:`Retrieved`), answer tokens as they arrive, then
        the final :class:`AnswerResult`."""
        clock = _Clock()
        question = check_question(question, self.settings)
        standalone = condense(question, parse_history(history))
        k = k or self.settings.k
        pool = self.retriever.search(standalone, max(k, self.policy.conflict_pool))
        passages = pool[:k]
        yield Retrieved(passages)
        idf = self.retriever.idf
        f = measure_retrieval(standalone, passages, idf)
        clock.lap("retrieve")
        evidence: list[Evidence] = []
        gen = Generation()
        if retrieval_refuses(f, self.policy) and not self.record:
            yield not_found_sentence()
        else:
            evidence = select_evidence(standalone, passages, self.retriever.embedder, self.policy)
            measure_evidence(f, standalone, passages, evidence, idf)
            clock.lap("evidence")
            try:
                yield from self.generator.stream(standalone, evidence, gen)
            except BackendError as exc:
                exc.passages = exc.passages or passages  # the reader still gets what was retrieved
                raise
            clock.lap("generate")
            f.model_refused = gen.refused
            f.note_logprobs(gen.logprobs)
            if not gen.refused:
                f.sentences = measure_sentences(
                    gen.text, evidence, self.retriever.embedder, idf, leads(passages, evidence)
                )
            clock.lap("check")
        decision = decide(f, self.policy, verified=False)
        if decision.needs_verify or (self.record and decision.kept):
            f.p_yes = self.generator.verify(standalone, decision.cited(evidence))
            decision = decide(f, self.policy)
            clock.lap("verify")
        # Checked after the answer is written, so that it never delays the first token.
        conflicts = (
            find_conflicts(standalone, pool, idf, self.retriever.embedder, self.policy)
            if self.policy.conflict_pool
            else []
        )
        clock.lap("conflicts")
        answer, citations = compose(f, decision, evidence, standalone, self.policy)
        answer, reported = report_conflicts(answer if decision.status == "answered" else "", citations, conflicts)
        answered = decision.status == "answered" or bool(reported)
        yield AnswerResult(
            question=question,
            standalone_question=standalone,
            answer=answer or not_found_sentence(),
            status="answered" if answered else decision.status,
            method=decision.method if decision.status == "answered" or not reported else "conflict",
            reason=decision.reason,
            citations=citations,
            removed=[{"sentence": f.sentences[i].text, "why": why} for i, why in decision.removed],
            retrieved=passages,
            model=self.model_name,
            timings_ms=clock.timings(gen.first_token),
            evidence=evidence,
            checks=marker_checks(f, decision),
            features=f,
            raw_answer=gen.text,
            conflicts=reported,
            speaker_quotes=self._offered_quotes(standalone) if not answered else [],
        )

    def _offered_quotes(self, question: str) -> list[dict[str, Any]]:
        """For "What did X say about Y?" left unanswered: what X is quoted saying at all."""
        from assistant.quotes.people import quotes_of

        speaker = question_speaker(question)
        if not speaker:
            return []
        return [q.to_json() for q in quotes_of(speaker, self.retriever.speaker_paths(speaker))]

    def answer(self, question: str, history: list[dict[str, str]] | None = None, k: int | None = None) -> AnswerResult:
        """Run :meth:`stream` to the end and return the result."""
        return StreamReader(self.stream(question, history, k)).finish()


class StreamReader:
    """The one way to read :meth:`Answerer.stream`: iterate for the tokens, then take the result.

    >>> reader = StreamReader(answerer.stream(question))  # doctest: +SKIP
    >>> for token in reader: print(token, end="")  # doctest: +SKIP
    >>> result = reader.finish()  # doctest: +SKIP

    When retrieval is done, ``retrieved`` is set and an empty token is yielded, so that a
    page can show the passages before the first word of the answer.
    """

    def __init__(self, items: Iterable[str | Retrieved | AnswerResult]) -> None:
        self._items = iter(items)
        self.text = ""  # the tokens so far
        self.retrieved: list[Passage] | None = None
        self.result: AnswerResult | None = None

    def __iter__(self) -> Iterator[str]:
        for item in self._items:
            if isinstance(item, AnswerResult):
                self.result = item
            elif isinstance(item, Retrieved):
                self.retrieved = item.passages
                yield ""
            else:
                self.text += item
                yield item

    def finish(self) -> AnswerResult:
        """Read what is left and return the checked result."""
        for _ in self:
            pass
        if self.result is None:
            raise RuntimeError("the answer stream ended without a result")
        return self.result


def compose(
    f: Features, d: Decision, evidence: list[Evidence], question: str, policy: Policy
) -> tuple[str, list[Citation]]:
    """The answer text and its citations for a decision (also replayed by the calibration)."""
    citations: list[Citation] = []
    if d.method == "generated":
        # The reader sees markers numbered 1, 2, 3 in order of first appearance, whatever
        # numbers the evidence had; each citation still points at its own span.
        number: dict[int, int] = {}
        for _, ms in d.kept:
            for m in ms:
                number.setdefault(m, len(number) + 1)
        answer = render([f.sentences[i].text for i, _ in d.kept], [[number[m] for m in ms] for _, ms in d.kept])
        for i, ms in d.kept:
            for m in ms:
                if all(c.marker != number[m] for c in citations):
                    score = support_score(f.sentences[i].agreements[m - 1], policy)
                    verdict = {"verdict": "supported", "score": round(score, 3)}
                    citations.append(Citation(marker=number[m], support=verdict, **span_fields(evidence[m - 1])))
        return answer, citations
    if d.method == "extracted":
        e = evidence[d.quote - 1]
        speaker = question_speaker(question) or e.speaker
        quote = " ".join(e.text.split())
        answer = read_prompt("quote_answer").strip().format(speaker=speaker, quote=quote, n=1)
        verdict = {"verdict": "quoted", "score": round(1 - f.question.missing_share([e.n - 1]), 3)}
        return answer, [Citation(marker=1, support=verdict, **span_fields(e))]
    return not_found_sentence(), []


def _short(title: str, limit: int = 60) -> str:
    """``title`` cut at a word boundary to about ``limit`` characters."""
    return title if len(title) <= limit else title[:limit].rsplit(" ", 1)[0] + "…"


def report_conflicts(
    answer: str, citations: list[Citation], conflicts: list[Conflict]
) -> tuple[str, list[dict[str, Any]]]:
    """``answer`` with a sentence naming each side of each conflict, cited; ``citations`` gains
    the sides' spans (a span already cited keeps its marker).  Returns the answer and the
    conflicts as JSON, each side with its marker."""
    reported: list[dict[str, Any]] = []
    if not conflicts:
        return answer, reported
    template, side_template = read_prompt("conflict").strip(), read_prompt("conflict_side").strip()
    for conflict in conflicts:
        parts, sides = [], []
        for side in conflict.sides:
            marker = next(
                (c.marker for c in citations if c.path == side.path and c.start <= side.start and side.end <= c.end), 0
            )
            if not marker:
                marker = len(citations) + 1
                verdict = {"verdict": "value", "score": side.relevance}
                citations.append(Citation(marker=marker, support=verdict, **span_fields(side)))
            where = ", ".join(x for x in (side.publisher or _short(side.title or side.source), side.date) if x)
            parts.append(side_template.format(value=side.value, where=where, n=marker))
            span = {k: v for k, v in span_fields(side).items() if k != "path"}
            sides.append({"value": side.value, "marker": marker} | span)
        statement = template.format(sides="; ".join(parts))
        answer = f"{answer}\n\n{statement}" if answer else statement
        reported.append({"kind": conflict.kind, "sides": sides})
    return answer, reported


def marker_checks(f: Features, d: Decision) -> dict[str, int]:
    """How the model's own markers fared: kept, dropped, added by the check, sentences removed."""
    written = sum(len(s.markers) for s in f.sentences)
    kept = sum(len(set(ms) & set(f.sentences[i].markers)) for i, ms in d.kept)
    return {
        "kept": kept,
        "dropped": written - kept,
        "added": sum(len(set(ms) - set(f.sentences[i].markers)) for i, ms in d.kept),
        "removed_sentences": len(d.removed),
    }


class _Clock:
    """Stage timings of one answer, in milliseconds since the question arrived."""

    def __init__(self) -> None:
        self.t0 = self.last = time.perf_counter()
        self.stages: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages[stage] = (now - self.last) * 1000
        self.last = now

    def timings(self, first_token: float | None) -> dict[str, float]:
        end = time.perf_counter()
        out = dict(self.stages)
        out["first_token"] = ((first_token or end) - self.t0) * 1000
        out["total"] = (end - self.t0) * 1000
        return {k: round(v, 1) for k, v in out.items()}
