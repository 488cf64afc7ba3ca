"""The claim–span support check and the refusal policy, through the Answerer's ``llm=`` injection.

A scripted chat model plays the LLM and a bag-of-words embedder plays MiniLM, over a small
invented article, so every case here is about the checking logic alone.  The real model is
exercised in tests/integration/answer/test_answer.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.policy import Policy
from tests.fakes import ScriptedChatModel, StubRetriever

# Thresholds fixed here so that these tests pin the logic, not the calibrated defaults; the
# confidence thresholds at 0 show every supported answer as answered (test_states.py tests them).
POLICY = Policy(
    support_min=0.5, question_missing_max=0.5, question_entities_required=True, verify_min=0.0,
    confidence_answered=0.0, confidence_not_found=0.0,
)  # fmt: skip


def ask(article: Path, question: str, reply: str, p_yes: float | None = None, policy: Policy = POLICY, **kw):
    from assistant.answer.answerer import Answerer

    llm = ScriptedChatModel(replies=[reply], p_yes=p_yes)
    retriever = StubRetriever(article, speaker_question=kw.pop("speaker_question", False))
    answerer = Answerer(Settings(), retriever=retriever, llm=llm, policy=policy)  # type: ignore[arg-type]
    return answerer.answer(question), llm


def _exact(result) -> None:
    for c in result.citations:
        assert Path(c.path).read_text(encoding="utf-8")[c.start : c.end] == c.text


def test_supported_sentence_is_kept_with_an_exact_citation(article):
    r, _ = ask(article, "When will the talks resume?", "Anna Berg said the talks would resume in March [1].")
    assert r.status == "answered" and r.method == "generated"
    assert r.answer == "Anna Berg said the talks would resume in March [1]."
    assert [c.marker for c in r.citations] == [1]
    assert r.citations[0].support["verdict"] == "supported" and r.citations[0].support["score"] >= 0.5
    _exact(r)


def test_supported_paraphrase_is_kept(article):
    reply = "According to Anna Berg, Norland's foreign minister, the talks are to resume in March [1]."
    r, _ = ask(article, "When will the talks resume?", reply)
    assert r.status == "answered"
    assert "resume in March [1]" in r.answer
    assert not r.removed


def test_swapped_name_is_dropped(article):
    reply = "Anna Berg said the talks would resume in March [1]. Carl Lund said the talks would resume in March [1]."
    r, _ = ask(article, "Who said the talks would resume?", reply)
    assert r.status == "answered"
    assert "Lund" not in r.answer and "Anna Berg" in r.answer
    assert r.removed and "lund" in r.removed[0]["why"]


def test_wrong_number_is_dropped(article):
    reply = "The talks would resume in March [1]. The two sides last met seven years ago in Vienna [3]."
    r, _ = ask(article, "When will the talks resume?", reply)
    assert "seven" not in r.answer and "March" in r.answer
    assert "numbers" in r.removed[0]["why"]
    # Positive control: the right number, in words or digits, passes the same check.
    for good in ("five years ago in Vienna [3].", "5 years ago in Vienna [3]."):
        ok, _ = ask(article, "When did the two sides last meet?", "The two sides last met " + good)
        assert ok.status == "answered" and "Vienna" in ok.answer


def test_negated_claim_is_dropped(article):
    reply = "The talks would resume in March [1]. Berg said they are giving up on a deal [2]."
    r, _ = ask(article, "What did Berg say about the talks and a deal?", reply)
    assert "giving up" not in r.answer
    assert "negation" in r.removed[0]["why"]
    r2, _ = ask(article, "When will the talks resume?", "The talks would not resume in March [1].")
    assert r2.status == "not_found" and not r2.citations


def test_answer_without_a_supported_sentence_is_not_found(article):
    r, _ = ask(article, "When will the talks resume?", "The talks collapsed after a dispute over fishing rights [1].")
    assert r.status == "not_found" and r.method == "not_found"
    assert r.answer == "The articles do not say."
    assert not r.citations
    assert r.retrieved  # the closest passages are still offered
    assert r.removed and r.reason


def test_off_topic_question_about_a_quoted_person_is_not_found(article):
    question = "What did Berg say about fishing quotas?"
    refused, _ = ask(article, question, "The articles do not say.", speaker_question=True)
    assert refused.status == "not_found"  # no fallback to Berg's unrelated quote
    echoed, _ = ask(article, question, "Berg said: “We are not giving up on a deal” [2].", speaker_question=True)
    assert echoed.status == "not_found"  # a real quote, but not about what was asked


def test_quote_fallback_answers_when_the_quote_is_on_topic(article):
    """Positive control for the case above: the same fallback does answer an on-topic question."""
    r, _ = ask(article, "What did Berg say about a deal?", "The articles do not say.", speaker_question=True)
    assert r.status == "answered" and r.method == "extracted"
    assert "not giving up on a deal" in r.answer
    assert r.citations[0].support["verdict"] == "quoted"
    _exact(r)


def test_model_verification_sees_only_the_cited_span_and_the_question_and_can_refuse(article):
    reply = "Anna Berg said the talks would resume in March [1]."
    strict = POLICY.with_(verify_min=0.5)
    doubted, llm = ask(article, "When will the talks resume?", reply, p_yes=0.2, policy=strict)
    assert doubted.status == "not_found" and "do not answer the question" in doubted.reason
    # One fresh prompt: the cited span and the question, not the answer prompt nor the answer.
    [asked] = llm.verify_prompts[0]
    assert "the talks would resume in March" in asked.content and "When will the talks resume?" in asked.content
    assert reply not in asked.content and "Rules:" not in asked.content
    trusted, _ = ask(article, "When will the talks resume?", reply, p_yes=0.9, policy=strict)
    assert trusted.status == "answered"


def test_a_quote_is_not_offered_instead_of_an_answer_the_verification_rejected(article):
    """The quote fallback serves a model that found nothing; it must not bring back, unverified,
    the speaker's words that the verification has just judged not to answer the question."""
    reply = "Berg said they are not giving up on a deal [2]."
    strict = POLICY.with_(verify_min=0.5)
    rejected, _ = ask(
        article, "What did Berg say about a deal?", reply, p_yes=0.2, policy=strict, speaker_question=True
    )
    assert rejected.status == "not_found" and rejected.method == "not_found"
    # Positive control: the same question and quote, when the model itself found nothing, is quoted.
    refused, _ = ask(article, "What did Berg say about a deal?", "The articles do not say.", p_yes=0.2,
                     policy=strict, speaker_question=True)  # fmt: skip
    assert refused.status == "answered" and refused.method == "extracted"


def test_backend_without_probabilities_skips_verification(article):
    r, _ = ask(article, "When will the talks resume?", "The talks would resume in March [1].", p_yes=None,
               policy=POLICY.with_(verify_min=0.9))  # fmt: skip
    assert r.status == "answered"


def test_bad_markers_are_replaced_by_the_supporting_span(article):
    r, _ = ask(article, "When will the talks resume?", "The talks would resume in March [3, 9].")
    assert r.answer == "The talks would resume in March [1]."
    assert r.checks["dropped"] == 2 and r.checks["added"] == 1
    _exact(r)


def test_json_says_how_the_answer_was_made(article):
    r, _ = ask(article, "When will the talks resume?", "The talks would resume in March [1].")
    out = r.to_json()
    assert out["method"] == "generated"
    assert out["citations"][0]["support"] == {"verdict": "supported", "score": pytest.approx(1.0)}
    assert set(out["timings_ms"]) >= {"retrieve", "first_token", "total"}


class _DownModel(ScriptedChatModel):
    def _stream(self, messages, stop=None, run_manager=None, **kw):
        raise ConnectionError("connection refused")
        yield  # pragma: no cover


def test_backend_failure_carries_the_retrieved_passages(article):
    from assistant.answer.answerer import Answerer
    from assistant.errors import BackendError

    retriever = StubRetriever(article)
    answerer = Answerer(Settings(), retriever=retriever, llm=_DownModel(replies=[""]), policy=POLICY)  # type: ignore[arg-type]
    with pytest.raises(BackendError) as err:
        answerer.answer("Who signed the ferry accord?")
    assert "LLM backend" in str(err.value)
    assert err.value.passages and err.value.passages[0].text in article.read_text(encoding="utf-8")


def test_the_stream_reader_gives_the_tokens_then_the_same_result_as_answer(article):
    from assistant.answer.answerer import Answerer
    from assistant.answer.result import StreamReader

    reply = "Anna Berg said the talks would resume in March [1]."
    answerer = Answerer(
        Settings(), retriever=StubRetriever(article), llm=ScriptedChatModel(replies=[reply, reply]), policy=POLICY
    )  # type: ignore[arg-type]
    reader = StreamReader(answerer.stream("When will the talks resume?"))
    tokens = list(reader)
    assert len(tokens) > 1 and "".join(tokens) == reader.text == reply
    assert reader.finish().answer == answerer.answer("When will the talks resume?").answer == reply
    with pytest.raises(RuntimeError):
        StreamReader(iter(["a token but no result"])).finish()


def test_the_passages_come_before_the_first_token(article):
    from assistant.answer.answerer import Answerer
    from assistant.answer.result import StreamReader

    reply = "Anna Berg said the talks would resume in March [1]."
    answerer = Answerer(
        Settings(), retriever=StubRetriever(article), llm=ScriptedChatModel(replies=[reply]), policy=POLICY
    )  # type: ignore[arg-type]
    reader = StreamReader(answerer.stream("When will the talks resume?"))
    seen = []
    for token in reader:
        seen.append((token, reader.text, reader.retrieved))
    first_token, text_then, passages_then = seen[0]
    assert first_token == "" and text_then == "" and passages_then  # passages, and no answer yet
    assert reader.finish().retrieved == passages_then


def test_markers_are_numbered_in_order_of_first_appearance(article):
    reply = "The two sides last met five years ago in Vienna [3]. The talks would resume in March [1]."
    r, _ = ask(article, "When did the two sides last meet, and when will the talks resume?", reply)
    assert r.status == "answered"
    assert r.answer == "The two sides last met five years ago in Vienna [1]. The talks would resume in March [2]."
    by_marker = {c.marker: c.text for c in r.citations}
    assert "Vienna" in by_marker[1] and "March" in by_marker[2]  # each number still points at its own span
    _exact(r)


def test_a_template_that_does_not_fit_its_fields_is_not_called_a_backend_failure(article):
    from assistant.answer.answerer import Answerer
    from assistant.errors import BackendError, UserError

    answerer = Answerer(
        Settings(), retriever=StubRetriever(article), llm=ScriptedChatModel(replies=["x"]), policy=POLICY
    )  # type: ignore[arg-type]
    answerer.generator.passage_template = "[{n}] {no_such_field}"
    with pytest.raises(UserError, match="prompt template") as err:
        answerer.answer("Who signed the ferry accord?")
    assert not isinstance(err.value, BackendError)


def test_a_bare_fragment_is_shown_with_the_sentence_of_its_span(article):
    r, _ = ask(article, "When will the talks resume?", "March [1]")
    assert r.status == "answered"
    sentence = next(s for s in r.citations[0].text.split(". ") if "March" in s)
    assert r.answer.startswith("March. The article says: “") and sentence.strip(" .") in r.answer
    assert r.answer.endswith("[1]")
    _exact(r)


def test_an_answer_that_is_a_sentence_is_not_spelled_out(article):
    r, _ = ask(article, "When will the talks resume?", "Anna Berg said the talks would resume in March [1].")
    assert "The article says" not in r.answer


def test_each_citation_marks_the_words_its_sentence_states_at_exact_offsets(article):
    r, _ = ask(article, "When will the talks resume?", "Anna Berg said the talks would resume in March [1].")
    source = article.read_text(encoding="utf-8")
    marks = r.citations[0].marks
    assert marks
    for m in marks:
        assert r.citations[0].start <= m["start"] < m["end"] <= r.citations[0].end
        assert source[m["start"] : m["end"]].lower() in r.answer.lower()
    assert "resume in March" in " ".join(source[m["start"] : m["end"]] for m in marks)


def test_a_bare_number_is_spelled_out_only_from_a_sentence_that_has_it_as_a_word(article):
    r, _ = ask(article, "How many years ago did the two sides last meet?", "five [3]")
    assert "The article says" in r.answer and "five years ago" in r.answer
    r, _ = ask(article, "How many years ago did the two sides last meet?", "fiv [3]")
    assert "The article says" not in r.answer  # "fiv" is only part of a word there
