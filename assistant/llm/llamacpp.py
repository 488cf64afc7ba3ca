"""Embedded backend: llama.cpp in-process, greedy decoding, the model's own chat template.

Besides streaming, it offers two things only an in-process model can give cheaply:

* every streamed chunk carries the log-probabilities of its tokens (``response_metadata["logprobs"]``);
* :meth:`ChatLlamaCppLocal.yes_probability` reads the model's probability of answering
  "yes" to a final question.  Only the tokens the KV cache does not already hold are
  evaluated; afterwards the answer prompt's fixed prefix is brought back from memory when the
  yes/no prompt displaced it, so the next answer does not evaluate its instructions again.
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

from assistant.errors import BackendError, SetupError

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}
_YES = ("yes", "Yes", "YES", " yes", " Yes")
_NO = ("no", "No", "NO", " no", " No")


class ChatLlamaCppLocal(BaseChatModel):
    """A LangChain chat model over ``llama_cpp.Llama`` (one model per process, one call at a time)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    model_path: str
    n_ctx: int = 4096
    n_threads: int = 0
    max_tokens: int = 320
    _llama: Any = PrivateAttr(default=None)
    _format: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.RLock)
    _warming: Any = PrivateAttr(default=None)
    _prefix: str = PrivateAttr(default="")
    _prefix_state: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "llamacpp-local"

    def warm_up(self, samples: list[list[BaseMessage]], cache_dir: Path) -> None:
        """Start loading the model in a background thread, and bring its KV cache to the
        prefix that every prompt in ``samples`` shares (see :mod:`.prefix_cache`).

        llama.cpp releases the GIL, so this overlaps with loading the index; the first call
        to the model waits for it. Errors surface there, from :meth:`load`.
        """
        if self._warming is None and self._llama is None:
            self._warming = threading.Thread(target=self._warm, args=(samples, cache_dir), daemon=True)
            self._warming.start()

    def _warm(self, samples: list[list[BaseMessage]], cache_dir: Path) -> None:
        from assistant.llm.prefix_cache import common_prefix, prime, state_blob

        with self._lock:
            try:
                llama = self.load()
                tokens = common_prefix([self._tokens(m) for m in samples])
                self._prefix = prime(llama, tokens, cache_dir, self.model_path, self.n_ctx)
                if self._prefix in ("restored", "evaluated"):
                    self._prefix_state = (tokens, state_blob(llama))
            except Exception:  # the first real call reports it
                self._prefix = "failed"

    def wait_ready(self) -> None:
        """Wait for a background :meth:`warm_up`, if one was started."""
        if self._warming is not None:
            self._warming.join()

    @property
    def prefix_status(self) -> str:
        """How the warm-up found the prompt prefix: restored, evaluated, skipped, failed ("" before)."""
        self.wait_ready()
        return self._prefix

    def load(self) -> Any:
        """Load the GGUF (once)."""
        with self._lock:
            return self._load()

    def _load(self) -> Any:
        if self._llama is None:
            try:
                from llama_cpp import Llama
                from llama_cpp.llama_chat_format import Jinja2ChatFormatter
            except ImportError:
                raise SetupError("llama-cpp-python is not installed; run ./run.sh") from None
            from assistant.llm.preload import llama_kwargs, take

            llama = take(self.model_path, self.n_ctx, self.n_threads)
            if llama is None:
                try:
                    llama = Llama(**llama_kwargs(self.model_path, self.n_ctx, self.n_threads))
                except (ValueError, RuntimeError) as exc:
                    raise SetupError(f"cannot load the model {self.model_path}: {exc}") from None
            template = llama.metadata.get("tokenizer.chat_template")
            if not template:
                raise SetupError(f"the model {self.model_path} has no chat template")
            text = llama._model.token_get_text  # noqa: SLF001 - the only public route to special tokens
            self._format = Jinja2ChatFormatter(
                template=template,
                eos_token=text(llama.token_eos()) if llama.token_eos() != -1 else "",
                bos_token=text(llama.token_bos()) if llama.token_bos() != -1 else "",
            )
            self._llama = llama
        return self._llama

    def _tokens(self, messages: list[BaseMessage]) -> list[int]:
        """The prompt tokens of ``messages`` in the model's own chat template."""
        chat = [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]
        prompt = self._format(messages=chat).prompt
        return self._llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)

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
            target=self._produce, args=(messages, stop, tokens, halt), daemon=True, name="llama-stream"
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

    def _produce(
        self,
        messages: list[BaseMessage],
        stop_words: list[str] | None,
        out: queue.Queue[tuple[str, Any]],
        halt: threading.Event,
    ) -> None:
        """Run one completion under the lock, putting ("token", (text, info)) items on ``out``,
        then ("error", exception) if it failed, then ("end", None)."""
        from llama_cpp import LogitsProcessorList

        logprobs: list[float] = []

        def record(_ids: Any, scores: np.ndarray) -> np.ndarray:
            # Greedy decoding picks the arg-max, so its log-probability is max - logsumexp.
            logprobs.append(-float(np.log(np.exp(scores - scores.max()).sum())))
            return scores

        try:
            with self._lock:
                llama = self.load()
                stream = llama.create_completion(
                    prompt=self._tokens(messages),
                    stream=True,
                    temperature=0.0,
                    top_k=1,
                    top_p=1.0,
                    min_p=0.0,
                    repeat_penalty=1.0,
                    max_tokens=self.max_tokens,
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

    def yes_probability(self, messages: list[BaseMessage]) -> float:
        """P("yes") / P("yes" or "no") for the assistant's first token after ``messages``."""
        with self._lock:
            llama = self.load()
            logits = next_token_logits(llama, self._tokens(messages))
            self._keep_prefix(llama)
        ids = [llama.tokenize(w.encode("utf-8"), add_bos=False, special=False)[0] for w in _YES + _NO]
        scores = logits[ids].astype(np.float64)
        scores = np.exp(scores - scores.max())
        return float(scores[: len(_YES)].sum() / scores.sum())

    def _keep_prefix(self, llama: Any) -> None:
        """Bring back the answer prompt's prefix after a prompt that does not start with it (a
        verification), so that the next answer does not evaluate its instructions again."""
        from assistant.llm.prefix_cache import load

        if self._prefix_state is None:
            return
        tokens, blob = self._prefix_state
        if llama.input_ids[: llama.n_tokens][: len(tokens)].tolist() != list(tokens):
            load(llama, tokens, blob)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(c.message.content for c in self._stream(messages, stop, run_manager))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def next_token_logits(llama: Any, tokens: list[int]) -> np.ndarray:
    """The logits after ``tokens``, evaluating only what the KV cache does not already hold
    (llama.cpp keeps the last prompt and answer, so a question appended to them is cheap)."""
    from assistant.llm.prefix_cache import common_prefix

    same = len(common_prefix([tokens, llama.input_ids[: llama.n_tokens].tolist()]))
    llama.n_tokens = min(same, len(tokens) - 1)  # eval() drops the KV cache past this point
    try:
        llama.eval(tokens[llama.n_tokens :])
    except Exception as exc:  # the context is full, or llama.cpp refused the batch
        raise BackendError(f"the local model failed to verify: {exc}") from None
    return np.ctypeslib.as_array(llama._ctx.get_logits(), shape=(llama.n_vocab(),)).copy()  # noqa: SLF001
