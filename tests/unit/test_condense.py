import pytest

from assistant.condense import condense, parse_history
from assistant.errors import UserError


def test_pronoun_resolves_to_the_person_last_asked_about():
    history = [
        {"role": "user", "content": "What did Shin Kak-soo say about Quad+?"},
        {"role": "assistant", "content": "He said joining QUAD+ is in South Korea's interest [1]."},
    ]
    assert condense("What did he say about Japan?", history) == "What did Shin Kak-soo say about Japan?"


def test_person_from_the_answer_when_the_question_had_none():
    history = [
        {"role": "user", "content": "Who did Beijing send to Seoul on Nov. 25?"},
        {"role": "assistant", "content": "Beijing sent State Councilor and Minister of Foreign Affairs Wang Yi [1]."},
    ]
    assert condense("What did he say?", history) == "What did Wang Yi say?"


def test_standalone_questions_are_unchanged():
    assert condense("Where was the meeting?", [{"role": "user", "content": "Hi"}]) == "Where was the meeting?"


@pytest.mark.parametrize("bad", ["{", "[1, 2]", '[{"role": "system", "content": "x"}]', '{"a": 1}', "[" * 5000])
def test_malformed_history_is_a_user_error(bad):
    with pytest.raises(UserError):
        parse_history(bad)
