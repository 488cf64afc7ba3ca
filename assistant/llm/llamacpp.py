"""Embedded backend: llama.cpp in-process, greedy decoding, the model's own chat template.

Besides streaming, it offers two things only an in-process model can give cheaply:

* every streamed chunk carries the log-probabilities of its tokens (``response_metadata["logprobs"]``);
* :meth:`ChatLlamaCppLocal.yes_probability` reads the model's probability of answering
  "yes" to a final question (:class:`~assistant.llm.llama_session.LlamaSession`, which owns
  the loaded model, its lock and the cached prompt prefix).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from assistant.errors import BackendError
from assistant.llm.llama_session import LlamaSession


class ChatLlamaCppLocal(BaseChatModel):
    """A LangChain chat model over ``llama_cpp.Llama`` (one model per process, one call at a time)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    model_path: str
    n_ctx: int = 4096
    n_threads: int = 0
    max_tokens: int = 320
    _session: Any = PrivateAttr(default=None)

    def model_post_init(self, context: Any, /) -> None:
        self._session = LlamaSession(self.model_path, self.n_ctx, self.n_threads)

    @property
    def _llm_type(self) -> str:
        return "llamacpp-local"

    @property
    def session(self) -> LlamaSession:
        """The loaded model, its lock and its prompt prefix."""
        return self._session

    def warm_up(self, samples: list[list[BaseMessage]], cache_dir: Path) -> None:
        """Load the model in the background and prime the prefix ``samples`` share
        (:meth:`LlamaSession.warm_up`)."""
        self._session.warm_up(samples, cache_dir)

    def wait_ready(self) -> None:
        """Wait for a background :meth:`warm_up`, if one was started."""
        self._session.wait_ready()

    @property
    def prefix_status(self) -> str:
        """How the warm-up found the prompt prefix: restored, evaluated, skipped, failed ("" before)."""
        return self._session.prefix_status

    def load(self) -> Any:
        """Load the GGUF (once)."""
        return self._session.load()

    def yes_probability(self, messages: list[BaseMessage]) -> float:
        """P("yes") / P("yes" or "no") for the assistant's first token after ``messages``."""
        return self._session.yes_probability(messages)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        # The model runs in its own thread, which holds the lock from start to end, and hands
        # the tokens over a queue: a web server may resume this generator on a different
        # thread at every token, and a lock held across a yield would then be released by a
        # thread that does not own it. Abandoning the generator stops the model at its next token.
        tokens: queue.Queue[tuple[str, Any]] = queue.Queue()
        halt = threading.Event()
        threading.Thread(
            target=produce,
            args=(self._session, messages, self.max_tokens, stop, tokens, halt),
            daemon=True,
            name="llama-stream",
        ).start()
        try:
            while True:
                kind, value = tokens.get()
                if kind == "end":
                    return
                if kind == "error":
                    raise value
                token, info = value
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=token), generation_info=info)
                if run_manager:
                    run_manager.on_llm_new_token(token, chunk=chunk)
                yield chunk
        finally:
            halt.set()

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(c.message.content for c in self._stream(messages, stop, run_manager))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def produce(
    session: LlamaSession,
    messages: list[BaseMessage],
    max_tokens: int,
    stop_words: list[str] | None,
    out: queue.Queue[tuple[str, Any]],
    halt: threading.Event,
) -> None:
    """Run one greedy completion under the session's lock, putting ("token", (text, info))
    items on ``out``, then ("error", exception) if it failed, then ("end", None)."""
    from llama_cpp import LogitsProcessorList

    logprobs: list[float] = []

    def record(_ids: Any, scores: np.ndarray) -> np.ndarray:
        # Greedy decoding picks the arg-max, so its log-probability is max - logsumexp.
        logprobs.append(-float(np.log(np.exp(scores - scores.max()).sum())))
        return scores

    try:
        with session.lock:
            llama = session.load()
            stream = llama.create_completion(
                prompt=session.tokens(messages),
                stream=True,
                temperature=0.0,
                top_k=1,
                top_p=1.0,
                min_p=0.0,
                repeat_penalty=1.0,
                max_tokens=max_tokens,
                stop=stop_words,
                logits_processor=LogitsProcessorList([record]),
            )
            sent = 0
            for part in stream:
                if halt.is_set():
                    break
                token = part["choices"][0].get("text") or ""
                if token:
                    # The log-probabilities of the tokens decoded since the previous chunk.
                    info = {"logprobs": [round(x, 4) for x in logprobs[sent:]]}
                    sent = len(logprobs)
                    out.put(("token", (token, info)))
    except ValueError as exc:  # e.g. prompt longer than the context
        out.put(("error", BackendError(f"the local model failed: {exc}")))
    except BaseException as exc:  # noqa: BLE001 - handed to the reading thread
        out.put(("error", exc))
    finally:
        out.put(("end", None))
