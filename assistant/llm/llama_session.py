"""One loaded llama.cpp model behind a lock: loading, the model's own chat template, the
warm-up of the prompt prefix, and the yes/no probability of a verification.

:class:`~assistant.llm.llamacpp.ChatLlamaCppLocal` (the LangChain chat model) streams through
it; only this class touches ``llama_cpp.Llama``. Only the tokens the KV cache does not already
hold are evaluated; after a yes/no prompt displaced the answer prompt's fixed prefix, the prefix
is brought back from memory, so the next answer does not evaluate its instructions again.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.messages import BaseMessage

from assistant.errors import BackendError, SetupError

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}
_YES = ("yes", "Yes", "YES", " yes", " Yes")
_NO = ("no", "No", "NO", " no", " No")


class LlamaSession:
    """A GGUF loaded once per process; every use of the model holds :attr:`lock`."""

    def __init__(self, model_path: str, n_ctx: int, n_threads: int) -> None:
        self.model_path, self.n_ctx, self.n_threads = model_path, n_ctx, n_threads
        self.lock = threading.RLock()
        self._llama: Any = None
        self._format: Any = None
        self._warming: threading.Thread | None = None
        self._prefix = ""
        self._prefix_state: tuple[list[int], bytes] | None = None

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

        with self.lock:
            try:
                llama = self.load()
                tokens = common_prefix([self.tokens(m) for m in samples])
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
        """The loaded ``llama_cpp.Llama`` (loaded on the first call)."""
        with self.lock:
            if self._llama is None:
                self._llama = self._open()
            return self._llama

    def _open(self) -> Any:
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
        return llama

    def tokens(self, messages: list[BaseMessage]) -> list[int]:
        """The prompt tokens of ``messages`` in the model's own chat template."""
        llama = self.load()
        chat = [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]
        prompt = self._format(messages=chat).prompt
        return llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)

    def yes_probability(self, messages: list[BaseMessage]) -> float:
        """P("yes") / P("yes" or "no") for the assistant's first token after ``messages``."""
        with self.lock:
            llama = self.load()
            logits = next_token_logits(llama, self.tokens(messages))
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
