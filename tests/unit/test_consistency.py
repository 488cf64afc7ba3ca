"""Positive control for tests.helpers.assert_consistent: it rejects results that break their status."""

from __future__ import annotations

import pytest

from assistant.answer.generate import not_found_sentence
from tests.helpers import assert_consistent


@pytest.mark.parametrize(
    "result",
    [
        {"status": "answered", "method": "generated", "answer": "Yes [1].", "citations": [], "confidence": 0.9},
        {"status": "not_found", "method": "not_found", "answer": "Probably Oslo.", "citations": [], "confidence": 0.0},
        {"status": "maybe", "method": "generated", "answer": not_found_sentence(), "citations": [], "confidence": 0.5},
        {
            "status": "not_found",
            "method": "not_found",
            "answer": not_found_sentence(),
            "citations": [],
            "confidence": 2,
        },
    ],
)
def test_an_inconsistent_result_is_caught(result):
    with pytest.raises(AssertionError):
        assert_consistent(result)


def test_a_consistent_not_found_result_passes():
    assert_consistent(
        {"status": "not_found", "method": "not_found", "answer": not_found_sentence(), "citations": [], "confidence": 0}
    )


def test_an_uncertain_answer_must_ask_the_reader_to_check_it(tmp_path):
    from assistant.config import read_prompt

    path = tmp_path / "a.txt"
    path.write_text("The ferry sails from Oslo.", encoding="utf-8")
    cited = {"source": str(path), "start": 21, "end": 25, "text": "Oslo"}
    note = read_prompt("uncertain_note").strip().format(markers="[1]")
    result = {"status": "uncertain", "method": "generated", "citations": [cited], "confidence": 0.5}
    assert_consistent(result | {"answer": f"Oslo [1].\n\n{note}"})
    with pytest.raises(AssertionError):
        assert_consistent(result | {"answer": "Oslo [1]."})
