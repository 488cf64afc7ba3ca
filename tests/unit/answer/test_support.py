"""The deterministic agreement measures in assistant/answer/support.py."""

from __future__ import annotations

from assistant.answer.support import agreement, content_terms, names, negation_differs, numbers, root

IDF = lambda term: 1.0  # noqa: E731


def test_numbers_match_across_spellings():
    assert numbers("five years") == numbers("5 years") == {"5"}
    assert numbers("a three-day visit") == {"3"}
    assert numbers("1,000 troops and 2.5 percent") == {"1000", "2.5"}
    assert numbers("the 14th century") == {"14"}
    assert numbers("in March 1974") == {"month3", "1974"}
    assert "1" not in numbers("one of the allies") and "1" not in numbers("the first meeting")


def test_names_skip_sentence_starts_and_keep_accents_folded():
    assert names("The minister met Anna Müller in Warszawa.") == {"minister", "anna", "muller", "warszawa"} - {
        "minister"
    }
    assert names("According to Émile Zola, it rained.") == {"emile", "zola"}
    assert "what" not in names("What did Berg say?")


def test_negation_is_compared_on_what_it_governs():
    assert negation_differs("They are not giving up on a deal", "They are giving up on a deal")
    assert negation_differs("They are giving up on a deal", "“We won’t be giving up on a deal,” she said")
    assert not negation_differs("They are not giving up", "They will never give up")  # both negated
    # The negation governs other words: "not just yes or no" does not contradict "a complex answer".
    assert not negation_differs("The output is a complex answer", "The output is not just yes or no but complex")


def test_roots_match_inflections():
    assert root("called") == root("calling") == root("calls") == "call"
    assert root("married") == root("marry")


def test_agreement_flags_each_kind_of_mismatch():
    span = "Israel agreed to pull back from the Sinai Peninsula in 1974, officials said."
    same = agreement("Israel agreed to pull back from the Sinai in 1974.", span, "", 0.8, IDF)
    assert same.coverage == 1.0 and not same.missing_names and not same.missing_numbers and not same.negation_differs
    swapped = agreement("Japan agreed to pull back from the Sinai.", span, "", 0.8, IDF)
    assert swapped.missing_names == ["japan"]
    wrong_year = agreement("Israel agreed to pull back in 1973.", span, "", 0.8, IDF)
    assert wrong_year.missing_numbers == ["1973"]
    negation = agreement("Israel did not agree to pull back from the Sinai.", span, "", 0.8, IDF)
    assert negation.negation_differs
    missing_key = agreement("Israel agreed to pull back its navy from the Sinai.", span, "", 0.8, IDF)
    assert missing_key.coverage < 1.0


def test_context_supplies_the_speaker_name():
    a = agreement("Berg said the deal is close.", "“The deal is close,” she said.", "Talks\nBerg", 0.7, IDF)
    assert not a.missing_names


def test_content_terms_drop_stop_words():
    assert content_terms("What did the minister say about the talks?") == {"minister", "talk"}


def test_a_date_taken_from_the_article_date_is_stated_in_either_spelling():
    from assistant.answer.citations import context_of
    from assistant.answer.evidence import Evidence

    span = "The minister signed the accord in Tallinn on Wednesday."
    e = Evidence("c", "a.txt", "a.txt", "Accord signed", "", "2021-03-03", span, 0, len(span), n=1)
    ok = agreement("The minister signed the accord on March 3, 2021.", span, context_of(e), 0.8, lambda t: 1.0)
    assert not ok.missing_numbers
    wrong = agreement("The minister signed the accord on March 4, 2021.", span, context_of(e), 0.8, lambda t: 1.0)
    assert wrong.missing_numbers == ["4"]  # control: another day is still caught
