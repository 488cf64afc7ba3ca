import pytest

from assistant.answer.condense import condense, parse_history
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


def _after(question: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": "An answer [1]."}]


def test_a_question_that_names_its_person_keeps_its_pronoun():
    history = _after("What did Anna Lindqvist say about the port deal?")
    assert condense("What did Okafor say about his trip?", history) == "What did Okafor say about his trip?"


def test_he_never_resolves_to_an_organisation():
    history = _after("What did the European Union say about the tariffs?")
    assert condense("What did he say about Germany?", history) == "What did he say about Germany?"
    assert "European Union" in condense("What did they say about Germany?", history)


def test_he_skips_an_organisation_for_the_person_before_it():
    history = _after("What did Maria Okafor say about the Pacific Trade Council?")
    assert condense("What did she add?", history) == "What did Maria Okafor add?"


def test_a_reference_to_a_thing_carries_the_previous_question():
    history = _after("How much did the city pay for the new bridge?")
    out = condense("When was it finished?", history)
    assert out.startswith("When was it finished?") and "the new bridge" in out
    assert condense("When was that?", _after("Who signed the water treaty?")).endswith("Who signed the water treaty?)")
    longer = "When did the talks that began in 2010 between the two ports end?"
    assert condense(longer, history) == longer  # "that" is not a reference here


def test_standalone_questions_are_unchanged():
    assert condense("Where was the meeting?", [{"role": "user", "content": "Hi"}]) == "Where was the meeting?"


@pytest.mark.parametrize("bad", ["{", "[1, 2]", '[{"role": "system", "content": "x"}]', '{"a": 1}', "[" * 5000])
def test_malformed_history_is_a_user_error(bad):
    with pytest.raises(UserError):
        parse_history(bad)


def test_the_previous_one_carries_the_earlier_question_along():
    history = [
        {"role": "user", "content": "When did the harbour strike begin?"},
        {"role": "assistant", "content": "It began in May [1]."},
    ]
    out = condense("How long had it been since the previous one?", history)
    assert out.startswith("How long had it been since the previous one?") and "harbour strike" in out
    # Positive control: without such a reference, a long question stands as it is.
    assert condense("How long had the dockers been without a contract?", history) == (
        "How long had the dockers been without a contract?"
    )
