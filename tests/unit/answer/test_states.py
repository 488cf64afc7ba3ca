"""The three answer states, with a scripted confidence: a model that reads only P(yes), so the
scripted LLM's P(yes) sets each answer's confidence."""

from __future__ import annotations

import pytest

from assistant.answer.confidence import NAMES, ConfidenceModel
from assistant.config import Settings, read_prompt
from assistant.policy import Policy
from tests.fakes import ScriptedChatModel, StubRetriever

POLICY = Policy(support_min=0.5, question_missing_max=0.5, confidence_answered=0.8, confidence_not_found=0.3)
REPLY = "Anna Berg said the talks would resume in March [1]."
# confidence = σ(logit(P(yes))) = P(yes): every other input has weight 0.
ONLY_P_YES = ConfidenceModel(NAMES, (0.0,) * len(NAMES), (1.0,) * len(NAMES), (1.0,) + (0.0,) * (len(NAMES) - 1), 0.0)


def ask(article, p_yes: float | None, reply: str = REPLY, question: str = "When will the talks resume?"):
    from assistant.answer.answerer import Answerer

    llm = ScriptedChatModel(replies=[reply], p_yes=p_yes)
    answerer = Answerer(Settings(), retriever=StubRetriever(article), llm=llm, policy=POLICY)  # type: ignore[arg-type]
    answerer.confidence = ONLY_P_YES
    return answerer.answer(question)


def test_a_confident_answer_is_answered_and_carries_its_confidence(article):
    r = ask(article, 0.95)
    assert r.status == "answered" and r.confidence == pytest.approx(0.95, abs=1e-3)
    assert r.citations and "check [1]" not in r.answer
    assert r.to_json()["confidence"] == r.confidence and r.to_json()["status"] == "answered"


def test_an_unsure_answer_is_shown_marked_for_checking(article):
    r = ask(article, 0.5)
    assert r.status == "uncertain" and r.confidence == pytest.approx(0.5, abs=1e-3)
    note = read_prompt("uncertain_note").strip().format(markers="[1]")
    assert r.answer.startswith("Anna Berg said the talks would resume in March [1].") and r.answer.endswith(note)
    assert [c.marker for c in r.citations] == [1] and r.citations[0].marks
    assert r.to_json()["status"] == "uncertain" and not r.speaker_quotes


def test_a_very_unsure_answer_is_not_found_with_the_closest_passages(article):
    r = ask(article, 0.1)
    assert r.status == "not_found" and r.method == "not_found" and not r.citations
    assert "too unsure" in r.reason and r.confidence == pytest.approx(0.1, abs=1e-3)
    assert r.retrieved  # the closest passages are offered


def test_no_supported_sentence_is_not_found_with_confidence_zero(article):
    r = ask(article, 0.99, reply="The talks were moved to Oslo by Peter Lund [1].")
    assert r.status == "not_found" and r.confidence == 0.0
