"""Stage 4: cited answers.

question (+ history) → standalone question → hybrid retrieval → numbered evidence spans
(:mod:`assistant.answer.evidence`) → the LLM, streamed (:mod:`assistant.answer.generate`) → every
sentence measured against every span (:mod:`assistant.answer.citations`,
:mod:`assistant.answer.support`) → the refusal policy keeps the supported sentences
(:mod:`assistant.answer.refusal`) → the learned confidence says how sure the answer is
(:mod:`assistant.answer.confidence`): ``answered``, ``uncertain`` or ``not_found`` → the
answer and its citations (:mod:`assistant.answer.compose`).

A citation is only ever shown for an exact span (``source_text[start:end] == text``) that
passed the support check for its sentence.  An answer with no supported sentence is
``not_found``, and the closest passages are offered instead.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from assistant.answer.citations import measure_sentences
from assistant.answer.compose import offered_quotes, shown
from assistant.answer.condense import condense, parse_history
from assistant.answer.confidence import features, state
from assistant.answer.confidence import shipped as confidence_model
from assistant.answer.conflicts import find_conflicts
from assistant.answer.evidence import Evidence, select_evidence
from assistant.answer.generate import Generation, Generator, not_found_sentence
from assistant.answer.refusal import (
    Decision,
    Features,
    decide,
    leads,
    measure_evidence,
    measure_retrieval,
    retrieval_refuses,
)
from assistant.answer.result import AnswerResult, Retrieved
from assistant.config import Settings
from assistant.errors import BackendError
from assistant.policy import Policy
from assistant.retrieve.filters import Filters
from assistant.retrieve.retriever import Passage, Retriever, check_question

__all__ = ["Answerer"]


class Answerer:
    """Answers questions with checked citations; load once, reuse for many questions.

    ``llm`` is any LangChain chat model (a scripted fake in unit tests); ``policy`` holds every
    threshold; ``system_prompt`` names the file in ``prompts/`` that instructs the model.  Set
    the attribute ``record`` to True to take every measurement even where the policy would stop
    early (``assistant eval --calibrate`` and :mod:`assistant.evaluate.record` do).
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
        self.confidence = confidence_model()  # checked against its manifest before any question
        self.record = False

    @property
    def llm(self) -> Any:
        return self.generator.llm

    def stream(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        k: int | None = None,
        filters: Filters | None = None,
    ) -> Iterator[str | Retrieved | AnswerResult]:
        """Yield the passages found (:class:`Retrieved`), answer tokens as they arrive, then
        the final :class:`AnswerResult`; only articles that pass ``filters`` are searched."""
        clock = _Clock()
        question = check_question(question, self.settings)
        standalone = condense(question, parse_history(history))
        k = k or self.settings.k
        pool = self.retriever.search(standalone, max(k, self.policy.conflict_pool), filters)
        passages = pool[:k]
        yield Retrieved(passages)
        f = measure_retrieval(standalone, passages, self.retriever.idf)
        clock.lap("retrieve")
        gen = Generation()
        evidence = yield from self._draft(standalone, passages, f, gen, clock)
        decision, confidence = self._decide(standalone, f, evidence, passages, clock)
        # Checked after the answer is written, so that it never delays the first token.
        conflicts = self._conflicts(standalone, pool)
        clock.lap("conflicts")
        shown_fields = shown(f, decision, evidence, standalone, conflicts, self.policy)
        yield AnswerResult(
            question=question,
            standalone_question=standalone,
            retrieved=passages,
            model=self.model_name,
            timings_ms=clock.timings(gen.first_token),
            evidence=evidence,
            features=f,
            raw_answer=gen.text,
            confidence=round(confidence, 4),
            speaker_quotes=offered_quotes(standalone, self.retriever, self.settings.max_file_bytes, filters)
            if shown_fields["status"] == "not_found"
            else [],
            **shown_fields,
        )

    def _draft(
        self, question: str, passages: list[Passage], f: Features, gen: Generation, clock: _Clock
    ) -> Iterator[str]:
        """Select the evidence, stream the model's answer into ``gen``, and measure its sentences;
        returns the evidence (none when retrieval already refuses)."""
        if retrieval_refuses(f, self.policy) and not self.record:
            yield not_found_sentence()
            return []
        idf, embedder = self.retriever.idf, self.retriever.embedder
        evidence = select_evidence(question, passages, embedder, self.policy)
        measure_evidence(f, question, passages, evidence, idf)
        clock.lap("evidence")
        try:
            yield from self.generator.stream(question, evidence, gen)
        except BackendError as exc:
            exc.passages = exc.passages or passages  # the reader still gets what was retrieved
            raise
        clock.lap("generate")
        f.model_refused = gen.refused
        f.note_logprobs(gen.logprobs)
        if not gen.refused:
            f.sentences = measure_sentences(gen.text, evidence, embedder, idf, leads(passages, evidence))
        clock.lap("check")
        return evidence

    def _decide(
        self, question: str, f: Features, evidence: list[Evidence], passages: list[Passage], clock: _Clock
    ) -> tuple[Decision, float]:
        """The policy's decision and its learned confidence.  The model's yes/no verification is
        asked for every answer that keeps a supported sentence (it is the confidence's main
        input); the confidence then makes it ``answered``, ``uncertain`` or ``not_found``."""
        decision = decide(f, self.policy, verified=False)
        if decision.kept:  # every decision that needs the verification keeps a sentence
            f.p_yes = self.generator.verify(question, decision.cited(evidence))
            decision = decide(f, self.policy)
            clock.lap("verify")
        if decision.status != "answered":
            return decision, 0.0
        confidence = self.confidence.predict(features(f, decision, question, passages, self.policy))
        decision.status = state(confidence, self.policy)
        if decision.status == "not_found":
            reason = f"the answer is too unsure to show (confidence {confidence:.2f})"
            decision = Decision("not_found", "not_found", reason, removed=decision.removed)
        return decision, confidence

    def _conflicts(self, question: str, pool: list[Passage]) -> list[Any]:
        if not self.policy.conflict_pool:
            return []
        return find_conflicts(question, pool, self.retriever.idf, self.retriever.embedder, self.policy)

    def answer(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        k: int | None = None,
        filters: Filters | None = None,
    ) -> AnswerResult:
        """Run :meth:`stream` to the end and return the result."""
        from assistant.answer.result import StreamReader

        return StreamReader(self.stream(question, history, k, filters)).finish()


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
