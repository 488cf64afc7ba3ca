"""Positive control for tests.helpers.assert_consistent: it rejects results that break their status."""

from __future__ import annotations

import pytest

from assistant.answer.generate import not_found_sentence
from tests.helpers import assert_consistent


@pytest.mark.parametrize(
    "result",
    [
        {"status": "answered", "method": "generated", "answer": "Yes [1].", "citations": []},
        {"status": "not_found", "method": "not_found", "answer": "Probably Oslo.", "citations": []},
        {"status": "maybe", "method": "generated", "answer": not_found_sentence(), "citations": []},
    ],
)
def test_an_inconsistent_result_is_caught(result):
    with pytest.raises(AssertionError):
        assert_consistent(result)


def test_a_consistent_not_found_result_passes():
    assert_consistent({"status": "not_found", "method": "not_found", "answer": not_found_sentence(), "citations": []})
