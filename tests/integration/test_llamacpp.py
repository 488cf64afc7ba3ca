"""The embedded llama.cpp backend: token log-probabilities, and a yes/no turn over the prompt cache."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from assistant.llm.llamacpp import ChatLlamaCppLocal
from assistant.llm.model_file import smollm_path

pytestmark = pytest.mark.llm  # `integration` comes from the folder (tests/conftest.py)

PROMPT = [
    SystemMessage("Answer from the passage only, in one sentence."),
    HumanMessage(
        "Passage: «The ministers met in Geneva on Tuesday and agreed to resume the talks in March, "
        "after five years without a meeting, officials said.»\n\nQuestion: When will the talks resume?"
    ),
]


@pytest.fixture(scope="module")
def llamacpp_model() -> ChatLlamaCppLocal:
    return ChatLlamaCppLocal(model_path=str(smollm_path()), n_ctx=2048, max_tokens=32)


def test_streamed_chunks_carry_their_log_probabilities(llamacpp_model):
    chunks = list(llamacpp_model.stream(PROMPT))
    text = "".join(str(c.content) for c in chunks)
    logprobs = [lp for c in chunks for lp in c.response_metadata.get("logprobs", [])]
    assert text.strip()
    assert len(logprobs) >= len([c for c in chunks if c.content])
    assert all(lp <= 0.0 for lp in logprobs) and any(lp < 0.0 for lp in logprobs)


def test_yes_probability_reuses_the_cached_prompt(llamacpp_model):
    answer = "".join(str(c.content) for c in llamacpp_model.stream(PROMPT))
    llama = llamacpp_model.load()
    evaluated: list[int] = []
    eval_ = llama.eval

    def counting(tokens):
        evaluated.append(len(tokens))
        return eval_(tokens)

    llama.eval = counting
    try:
        turn = [AIMessage(answer), HumanMessage("Is your answer correct according to the passage? Reply yes or no.")]
        p = llamacpp_model.yes_probability(PROMPT + turn)
    finally:
        llama.eval = eval_
    assert 0.0 <= p <= 1.0
    prompt_tokens = len(llamacpp_model._tokens(PROMPT + turn))
    # Only the new turn is evaluated, not the passage and question again.
    assert sum(evaluated) < 40 < prompt_tokens
    # Positive control: a cold cache evaluates everything.
    llama.reset()
    llama.eval = counting
    evaluated.clear()
    try:
        llamacpp_model.yes_probability(PROMPT + turn)
    finally:
        llama.eval = eval_
    assert sum(evaluated) == prompt_tokens


def test_a_stream_can_be_resumed_from_a_different_thread_at_every_token(llamacpp_model):
    # A web server resumes an answer's generator on whichever of its live worker threads is free.
    import threading
    from concurrent.futures import ThreadPoolExecutor

    reference = "".join(str(c.content) for c in llamacpp_model.stream(PROMPT))
    gen = llamacpp_model.stream(PROMPT)
    parts: list[str] = []
    threads: set[int] = set()

    def step() -> bool:
        threads.add(threading.get_ident())
        try:
            parts.append(str(next(gen).content))
            return True
        except StopIteration:
            return False

    # Two pools of one thread each, both alive throughout: every step runs on the other thread.
    with ThreadPoolExecutor(1) as a, ThreadPoolExecutor(1) as b:
        for i in range(200):
            if not (a if i % 2 else b).submit(step).result():
                break
    assert len(threads) == 2 and len(parts) > 2  # really resumed on two live threads, token by token
    assert "".join(parts) == reference
    # An abandoned stream lets the next one run.
    abandoned = llamacpp_model.stream(PROMPT)
    next(abandoned)
    abandoned.close()
    assert "".join(str(c.content) for c in llamacpp_model.stream(PROMPT)) == reference
