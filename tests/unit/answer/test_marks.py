"""The words of a citation that the answer states, at exact offsets."""

from __future__ import annotations

from assistant.answer.marks import merge, shared_phrases

SPAN = "Anna Berg, the Swedish envoy, said the talks would resume in March in Geneva."


def test_the_shared_runs_of_words_are_marked_in_the_span():
    marks = shared_phrases("Berg said the talks would resume in March [1].", SPAN)
    assert [SPAN[a:b] for a, b in marks] == ["Berg", "said the talks would resume in March"]


def test_a_run_of_function_words_alone_is_not_marked():
    assert shared_phrases("It is in the north.", "Nothing is in the report.") == []


def test_marks_are_offsets_into_the_source():
    source = "Headline\n\n" + SPAN
    start = source.index(SPAN)
    marks = shared_phrases("The talks resume in Geneva.", SPAN, start)
    assert [source[a:b] for a, b in marks] == ["the talks", "resume in", "Geneva"]


def test_a_mark_never_runs_over_punctuation():
    assert [SPAN[a:b] for a, b in shared_phrases("Anna Berg said the talks would resume.", SPAN)] == [
        "Anna Berg",
        "said the talks would resume",
    ]


def test_overlapping_marks_are_merged():
    assert merge([(5, 9), (0, 3), (8, 12), (12, 14)]) == [(0, 3), (5, 14)]
