"""Cited answers with the real embedded model (and SmolLM2 / a real OpenAI-compatible server)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from assistant.answer.generate import not_found_sentence
from assistant.ingest.load import source_text
from assistant.llm.model_file import smollm_path
from tests.helpers import assert_consistent, cli, free_port, run_cli, running


def _assert_exact(citations):
    for c in citations:
        assert Path(c.path).read_text(encoding="utf-8")[c.start : c.end] == c.text


@pytest.mark.llm
def test_headline_question_is_answered_with_exact_citations(answerer):
    r = answerer.answer("What did Shin Kak-soo say about Quad+?")
    assert r.status == "answered"
    assert r.citations, r.answer
    assert "[" in r.answer
    _assert_exact(r.citations)
    assert any("Shin Kak-soo" in c.text or "QUAD+" in c.text or "South Korea" in c.text for c in r.citations)
    for c in r.citations:
        assert f"[{c.marker}]" in r.answer


@pytest.mark.llm
def test_unanswerable_question_is_not_found(answerer):
    r = answerer.answer("Who won the 2022 FIFA World Cup?")
    assert r.status == "not_found"
    assert r.answer == not_found_sentence()
    assert not r.citations
    assert r.retrieved  # the closest passages are still offered


@pytest.mark.llm
def test_quoted_person_asked_about_a_topic_they_never_spoke_of_is_not_found(answerer):
    """Shin Kak-soo is quoted in the seeds, but never about football: no quote stands in."""
    r = answerer.answer("What did Shin Kak-soo say about the football World Cup?")
    assert r.status == "not_found" and r.method == "not_found"
    assert not r.citations and r.retrieved
    # The reader is offered what he did say, each quote an exact span of its article.
    assert r.speaker_quotes
    for q in r.speaker_quotes:
        assert q["speaker"] == "Shin Kak-soo"
        assert source_text(q["path"])[q["start"] : q["end"]] == q["text"]


@pytest.mark.llm
def test_real_answer_says_how_it_was_made(answerer):
    out = answerer.answer("Who did Beijing send to Seoul on Nov. 25?").to_json()
    assert out["status"] in ("answered", "uncertain") and out["method"] in ("generated", "extracted")
    assert 0 < out["confidence"] <= 1
    assert out["citations"] and all(c["support"]["verdict"] in ("supported", "quoted") for c in out["citations"])
    assert "Wang Yi" in out["answer"]


@pytest.mark.llm
def test_follow_up_resolves_its_pronoun(answerer):
    history = [
        {"role": "user", "content": "What did Austin call the US-South Korea alliance?"},
        {"role": "assistant", "content": "Austin called it a “linchpin” [1]."},
    ]
    r = answerer.answer("What did he add about China and North Korea?", history)
    assert "Austin" in r.standalone_question
    assert r.status in ("answered", "uncertain")
    assert any("Austin" in p.text or "unprecedented" in p.text for p in r.retrieved)


def _scripted(settings, retriever, reply):
    """The real retriever and embedder over the seeds, with a scripted model."""
    from assistant.answer.answerer import Answerer
    from tests.fakes import ScriptedChatModel

    return Answerer(settings, retriever=retriever, llm=ScriptedChatModel(replies=[reply]))


def test_evidence_spans_are_exact_and_short(retriever):
    from assistant.answer.evidence import select_evidence

    question = "What did Shin Kak-soo say about Quad+?"
    evidence = select_evidence(question, retriever.search(question, 5), retriever.embedder, retriever.policy)
    assert evidence and sum(len(e.text) for e in evidence) <= retriever.policy.evidence_budget + 100
    for e in evidence:
        assert Path(e.path).read_text(encoding="utf-8")[e.start : e.end] == e.text


def test_bad_markers_are_dropped_and_good_ones_kept(settings, retriever):
    """Real MiniLM similarities: a wrong marker and an out-of-range one are dropped, an
    unsupported sentence is removed, the supporting span is cited."""
    from assistant.answer.evidence import select_evidence

    question = "What did Kim Yo Jong warn the new US administration?"
    evidence = select_evidence(question, retriever.search(question, 5), retriever.embedder, retriever.policy)
    quote = next(e for e in evidence if "sleep in peace" in e.text)
    other = next(e for e in evidence if e.n != quote.n and "sleep in peace" not in e.text)
    answer = (
        f"Kim Yo Jong warned that if the US wants to sleep in peace for the coming four years it had better refrain "
        f"from causing a stink [{other.n}, {quote.n}]. Penguins are purple [{quote.n}]. Also see [99]."
    )
    r = _scripted(settings, retriever, answer).answer(question)
    assert r.status in ("answered", "uncertain")  # the scripted model gives no P(yes): the confidence decides
    assert [c.marker for c in r.citations] == [1] and r.citations[0].text == quote.text  # renumbered from 1
    assert r.answer.endswith("[1].") and "99" not in r.answer and "Penguins" not in r.answer
    assert r.checks["dropped"] >= 2 and r.removed
    _assert_exact(r.citations)


def test_uncited_sentence_gets_attributed(settings, retriever):
    r = _scripted(
        settings, retriever, "Austin called the US-South Korea alliance a linchpin for peace, security and prosperity."
    ).answer("What did Austin call the US-South Korea alliance?")
    assert r.checks["added"] == 1 and r.citations and "linchpin" in r.citations[0].text
    _assert_exact(r.citations)


def test_swapped_name_is_caught_with_real_embeddings(settings, retriever):
    """MiniLM rates the swapped sentence as similar; the agreement check still drops it."""
    r = _scripted(
        settings,
        retriever,
        "Merkel called the US-South Korea alliance a linchpin for peace, security and prosperity [1].",
    ).answer("What did Austin call the US-South Korea alliance?")
    assert "Merkel" not in r.answer and "merkel" in r.removed[0]["why"]
    # What is shown instead is Austin's own words, quoted from the article.
    assert r.method == "extracted" and "linchpin" in r.answer
    _assert_exact(r.citations)


def test_generation_code_runs_on_the_small_model(small_answerer):
    tokens = []
    result = None
    for item in small_answerer.stream("What did Austin call the US-South Korea alliance?"):
        if isinstance(item, str):
            tokens.append(item)
        else:
            result = item
    assert tokens and result is not None
    assert "".join(tokens) == result.raw_answer  # what streamed is what the checks read
    assert 0 < result.timings_ms["first_token"] < result.timings_ms["total"]  # checks run after the draft
    assert_consistent(result.to_json())


@pytest.fixture(scope="module")
def openai_server():
    """llama-cpp-python's own OpenAI-compatible server, with SmolLM2, on loopback."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    cmd = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(smollm_path()),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "2048",
        "--model_alias",
        "smollm2",
    ]
    with running(cmd, f"{url}/models", timeout=120):
        yield url


def test_openai_compatible_backend_against_a_real_server(settings, openai_server):
    r = run_cli(
        "ask",
        "What did Austin call the US-South Korea alliance?",
        "--json",
        "--llm",
        "openai",
        "--base-url",
        openai_server,
        "--model",
        "smollm2",
        env={"ASSISTANT_INDEX_DIR": str(settings.index_dir), "ASSISTANT_MAX_TOKENS": "48"},
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["model"].startswith("openai:smollm2")
    assert_consistent(out)
    assert 0 < out["timings_ms"]["first_token"] < out["timings_ms"]["total"]


def test_backend_down_is_a_clear_error_and_passages_are_shown(settings):
    port = free_port()  # nothing listens here
    r = cli(
        "ask",
        "What did Austin call the US-South Korea alliance?",
        "--llm",
        "openai",
        "--base-url",
        f"http://127.0.0.1:{port}/v1",
        env={"ASSISTANT_INDEX_DIR": str(settings.index_dir)},
    )
    assert r.returncode == 3
    assert "LLM backend" in r.stderr and "Traceback" not in r.stderr
    assert "linchpin" in r.stdout  # the retrieved passages are still shown


def test_ask_rejects_bad_history(settings, tmp_path):
    h = tmp_path / "h.json"
    h.write_text('{"not": "a list"}')
    r = cli("ask", "What did he say?", "--history", str(h), env={"ASSISTANT_INDEX_DIR": str(settings.index_dir)})
    assert r.returncode == 2 and "history" in r.stderr


@pytest.mark.llm
def test_chat_repl_keeps_history(settings):
    """`assistant chat` answers, then resolves a follow-up against the first question."""
    r = run_cli(
        "chat",
        input="What did Austin call the US-South Korea alliance?\nWhat did he add about China?\n",
        env={
            "ASSISTANT_INDEX_DIR": str(settings.index_dir),
            "ASSISTANT_LLM_MODEL": str(smollm_path()),
            "ASSISTANT_MAX_TOKENS": "32",
        },
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("you>") == 3  # two questions, then end of input
    # the follow-up was read with the first question's person: the history was used
    assert "(read as: What did Austin add about China?)" in r.stdout, r.stdout
    assert "Traceback" not in r.stderr


@pytest.mark.llm
def test_a_swapped_name_is_not_answered_while_its_twin_is(answerer):
    """A pair of the adversarial set (never trained on): the quoted person swapped for another
    who is in the articles but did not say it.  The twin is answered, checked; the swap is not."""
    from assistant.evaluate.metrics import facts_present, load_dataset
    from tests.helpers import ROOT

    pairs = {ex.id: ex for ex in load_dataset(ROOT / "eval" / "adversarial" / "seeds.jsonl")}
    twin, swapped = pairs["a32"], pairs["u32"]
    assert swapped.kind == "unanswerable"
    right = answerer.answer(twin.question)
    assert right.status == "answered" and facts_present(twin.facts, right.answer), right.answer
    assert right.confidence >= answerer.policy.confidence_answered
    wrong = answerer.answer(swapped.question)
    assert wrong.status != "answered" and wrong.confidence < answerer.policy.confidence_answered, wrong.answer
