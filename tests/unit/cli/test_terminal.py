"""On a terminal the checked answer replaces the streamed draft."""

from __future__ import annotations

import pytest

from assistant.cli.answer import erase_draft


@pytest.mark.parametrize(
    "draft, columns, expect",
    [
        ("Berg signed it [2].", 80, "\r\x1b[J"),  # one row: back to its start, clear
        ("First line.\nSecond line [1].", 80, "\r\x1b[1A\x1b[J"),
        ("x" * 250, 100, "\r\x1b[2A\x1b[J"),  # one line wrapped over three rows
    ],
)
def test_the_codes_go_back_over_every_row_the_draft_took(draft, columns, expect):
    assert erase_draft(draft, columns, 40) == expect


def test_a_draft_taller_than_the_screen_is_left_in_place():
    assert erase_draft("line\n" * 50, 80, 40) == ""


def test_the_state_line_names_the_state_and_the_confidence():
    from assistant.cli.answer import state_line

    assert state_line({"status": "answered", "confidence": 0.934}) == "[answered · confidence 0.93]"
    assert state_line({"status": "uncertain", "confidence": 0.5}).startswith("[UNCERTAIN")
    assert "not found" in state_line({"status": "not_found"})
