"""The embedded llama.cpp backend: token log-probabilities, and a yes/no turn over the prompt cache."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from assistant.llm.llamacpp import ChatLlamaCppLocal
from assistant.llm.model_file import smollm_path
from assistant.llm.prefix_cache import common_prefix

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
    prompt_tokens = len(llamacpp_model.session.tokens(PROMPT + turn))
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


def test_a_verification_prompt_leaves_the_answer_prefix_in_the_cache(tmp_path):
    """The verification prompt shares nothing with the answer prompt; after it, the KV cache holds
    the answer prompt's fixed prefix again, so the next answer does not evaluate it again."""
    system = SystemMessage("Answer from the passages only. Cite each sentence like [1]. " * 4)
    samples = [
        [system, HumanMessage(f"Passages:\n{p}\n\nQuestion: {q}")] for p, q in (("[1] A.", "B?"), ("[2] C.", "D?"))
    ]
    verify = [
        HumanMessage("Text: The talks resume in March.\n\nQuestion: When?\n\nDoes the text answer it? Reply yes or no.")
    ]

    def prefix_held_after_verification(model: ChatLlamaCppLocal, warm: bool) -> bool:
        if warm:
            model.warm_up(samples, tmp_path)
            model.wait_ready()
        llama = model.load()
        prefix = common_prefix([model.session.tokens(m) for m in samples])
        answer = [system, HumanMessage("Passages:\n[1] The talks resume in March.\n\nQuestion: When?")]
        "".join(str(c.content) for c in model.stream(answer))
        assert llama.input_ids[: llama.n_tokens][: len(prefix)].tolist() == prefix  # the answer left it there
        model.yes_probability(verify)
        return llama.input_ids[: llama.n_tokens][: len(prefix)].tolist() == prefix

    assert prefix_held_after_verification(
        ChatLlamaCppLocal(model_path=str(smollm_path()), n_ctx=2048, max_tokens=8), True
    )
    # Positive control: without the kept prefix (no warm-up), the verification prompt displaces it.
    cold = ChatLlamaCppLocal(model_path=str(smollm_path()), n_ctx=2048, max_tokens=8)
    assert not prefix_held_after_verification(cold, False)
