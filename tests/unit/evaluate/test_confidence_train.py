"""The selective-answering arithmetic of the confidence training: risk–coverage, AURC, states."""

from __future__ import annotations

import pytest

from assistant.evaluate.confidence_train import C_GRID, Row, choose_c, fit, markdown, states, thresholds
from assistant.evaluate.metrics import aurc, curve


def test_a_ranking_that_puts_the_wrong_answer_last_has_the_risk_only_at_full_coverage():
    assert curve([0.9, 0.8, 0.1], [True, True, False]) == [(1 / 3, 0.0), (2 / 3, 0.0), (1.0, 1 / 3)]
    assert aurc([0.9, 0.8, 0.1], [True, True, False]) == pytest.approx(1 / 9)


def test_the_reverse_ranking_scores_worse():
    assert aurc([0.1, 0.8, 0.9], [True, True, False]) > aurc([0.9, 0.8, 0.1], [True, True, False])


def test_ties_are_scored_by_their_expectation_whatever_their_order():
    assert aurc([1.0, 1.0], [True, False]) == aurc([1.0, 1.0], [False, True]) == pytest.approx(0.5)


def _row(answerable: bool, correct: bool, candidate: bool = True) -> Row:
    return Row("pool", "a", answerable, candidate, correct, 0.0, False, {})


def test_thresholds_and_states():
    rows = [_row(True, True), _row(True, True), _row(True, False), _row(False, False), _row(True, False, False)]
    conf = {0: 0.95, 1: 0.9, 2: 0.6, 3: 0.3}  # row 4 has no candidate
    t_answer, t_refuse = thresholds(rows, conf, precision=0.95, max_not_found=0.5)
    assert t_answer == 0.9  # the two right answers, and nothing below them
    assert t_refuse == 0.6  # 4 answerable: 2 may be not found, one already is (no candidate)
    got = states(rows, conf, t_answer, t_refuse)
    assert got["answered"] == {"answerable": 2, "unanswerable": 0, "right": 2}
    assert got["uncertain"] == {"answerable": 1, "unanswerable": 0, "right": 0}
    assert got["not_found"] == {"answerable": 1, "unanswerable": 1, "right": 0}


def test_the_fit_learns_a_signal_and_its_strength_comes_from_the_grid():
    import random

    from assistant.answer.confidence import NAMES

    rng = random.Random(0)
    rows = []
    for i in range(120):
        signal = rng.gauss(0, 1)
        x = dict.fromkeys(NAMES, 0.0) | {"p_yes_logit": signal, "best_dense": rng.gauss(0, 1)}
        rows.append(Row("pool", f"art{i % 4}", True, True, signal + rng.gauss(0, 0.5) > 0, 0.0, False, x))
    two_articles = [r for r in rows if r.group in ("art0", "art1")]
    assert choose_c(rows) in C_GRID and choose_c(two_articles) == C_GRID[-1]  # too few folds: no search
    model = fit(rows)
    assert model.coef[NAMES.index("p_yes_logit")] > 1.0 > abs(model.coef[NAMES.index("best_dense")])


def test_the_markdown_tables_hold_every_set():
    sets = {"dev": {"questions": 3, "aurc": {"p_yes": 0.2, "old_policy": 0.3, "learned": 0.1},
                    "states": {s: {"answerable": 1, "unanswerable": 0, "right": 1} for s in ("answered", "uncertain", "not_found")}}}  # fmt: skip
    out = markdown({"sets": sets})
    assert "| dev | 3 | 0.200 | 0.300 | 0.100 | -50% |" in out and "| dev | 1 / 0 (1) | 1 / 0 (1) | 1 / 0 |" in out


def test_the_thresholds_never_see_the_dev_set():
    rows = [_row(True, True), _row(True, True), _row(True, False)]
    conf = {0: 0.95, 1: 0.9, 2: 0.6}
    wrong_on_top = Row("dev", "seeds", True, True, False, 0.0, False, {})
    base = thresholds(rows, conf, precision=0.95, max_not_found=0.5)
    assert thresholds(rows + [wrong_on_top], conf | {3: 0.99}, precision=0.95, max_not_found=0.5) == base
    # control: the same wrong answer in a calibration set leaves nothing 95 % right
    seen = Row("adversarial", "adversarial", True, True, False, 0.0, False, {})
    assert thresholds(rows + [seen], conf | {3: 0.99}, precision=0.95, max_not_found=0.5)[0] == 1.0


def test_per_question_lines_say_each_state_most_confident_first(tmp_path):
    import json

    from assistant.evaluate.confidence_train import write_per_question

    rows = [_row(True, False), _row(True, True), _row(False, False, candidate=False)]
    records = [{"id": f"q{i}", "question": f"Q{i}?"} for i in range(3)]
    out = tmp_path / "pq.jsonl"
    write_per_question(out, records, rows, {0: 0.5, 1: 0.97}, t_answer=0.95, t_refuse=0.1)
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(d["id"], d["state"], d["right"]) for d in got] == [
        ("q1", "answered", True), ("q0", "uncertain", False), ("q2", "not_found", False)]  # fmt: skip
    assert got[2]["confidence"] is None
