"""Calibration replays the Answerer's own decision: a replayed setting is what the product does."""

from __future__ import annotations

import json

import pytest

from assistant.evaluate.calibrate import EvalSet, objective, replay, score, to_record
from assistant.evaluate.metrics import Example
from assistant.policy import Policy
from tests.fakes import StubRetriever
from tests.unit.answer.test_grounding import POLICY

CASES = [
    ("When will the talks resume?", "Anna Berg said the talks would resume in March [1].", "factual", [["March"]]),
    ("When will the talks resume?", "Carl Lund said the talks would resume in March [1].", "factual", [["March"]]),
    ("What did Berg say about fishing quotas?", "The articles do not say.", "unanswerable", []),
    ("What did Berg say about a deal?", "The articles do not say.", "factual", [["deal"]]),
]
SETTINGS = [POLICY, POLICY.with_(verify_min=0.9), POLICY.with_(support_min=0.99), POLICY.with_(quote_fallback=False)]


def _answer(article, question, reply, policy, record):
    from assistant.answer.answerer import Answerer
    from assistant.config import Settings
    from tests.fakes import ScriptedChatModel

    retriever = StubRetriever(article, speaker_question="say" in question)
    a = Answerer(Settings(), retriever=retriever, llm=ScriptedChatModel(replies=[reply], p_yes=0.6), policy=policy)
    a.record = record
    return a.answer(question)


@pytest.mark.parametrize("policy", SETTINGS)
def test_replayed_decision_equals_the_live_one(article, tmp_path, policy):
    es = EvalSet("talks", tmp_path / "q.jsonl", article.parent)
    for question, reply, kind, facts in CASES:
        recorded = _answer(article, question, reply, POLICY, record=True)
        rec = json.loads(json.dumps(to_record(es, Example("x", question, [], facts, kind), recorded)))
        live = _answer(article, question, reply, policy, record=False)
        out = replay(rec, policy)
        assert (out["status"], out["method"], out["answer"]) == (live.status, live.method, live.answer)
        assert out["cited"] == [c.text for c in live.citations]


def test_score_counts_refusals_and_accuracy(article, tmp_path):
    es = EvalSet("talks", tmp_path / "q.jsonl", article.parent)
    recs = []
    for question, reply, kind, facts in CASES:
        r = _answer(article, question, reply, POLICY, record=True)
        recs.append(to_record(es, Example("x", question, [], facts, kind), r))
    m = score(recs, POLICY)["talks"]
    # answered right: the first (March) and the fourth (Berg's quote on a deal); Lund's is refused
    assert m["accuracy"] == pytest.approx(2 / 3, abs=1e-3)
    assert m["unanswerable_refused"] == "1/1" and m["false_refusals"] == "1/3"
    assert 0 < objective(score(recs, POLICY)) <= 1


def test_policy_file_overrides_and_rejects_bad_fields(tmp_path):
    from assistant.errors import UserError

    f = tmp_path / "p.json"
    f.write_text('{"verify_min": 0.4, "check_numbers": false}')
    p = Policy.from_file(f)
    assert p.verify_min == 0.4 and p.check_numbers is False and p.support_min == Policy().support_min
    for bad in ('{"nope": 1}', '{"verify_min": "high"}', '{"check_numbers": 1}', "[1]", "{"):
        f.write_text(bad)
        with pytest.raises(UserError):
            Policy.from_file(f)


def test_every_policy_field_is_documented():
    from assistant.policy import field_docs

    docs = field_docs()
    assert set(docs) == set(Policy.field_names()) and all(len(d) > 20 for d in docs.values())
