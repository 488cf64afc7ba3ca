"""Embedded backend: llama.cpp in-process, greedy decoding, the model's own chat template."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from ..errors import BackendError, SetupError

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class ChatLlamaCppLocal(BaseChatModel):
    """A LangChain chat model over ``llama_cpp.Llama`` (one model per process, one call at a time)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    model_path: str
    n_ctx: int = 4096
    n_threads: int = 0
    max_tokens: int = 320
    _llama: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llamacpp-local"

    def load(self) -> Any:
        """Load the GGUF (once)."""
        if self._llama is None:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise SetupError("llama-cpp-python is not installed; run ./run.sh") from None
            threads = self.n_threads or max(1, os.cpu_count() or 1)
            try:
                self._llama = Llama(
                    model_path=self.model_path,
                    n_ctx=self.n_ctx,
                    n_batch=512,
                    n_threads=threads,
                    n_threads_batch=threads,
                    verbose=False,
                )
            except (ValueError, RuntimeError) as exc:
                raise SetupError(f"cannot load the model {self.model_path}: {exc}") from None
        return self._llama

    def _messages(self, messages: list[BaseMessage]) -> list[dict[str, str]]:
        return [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llama = self.load()
        with self._lock:
            try:
                stream = llama.create_chat_completion(
                    messages=self._messages(messages),
                    stream=True,
                    temperature=0.0,
                    top_k=1,
                    top_p=1.0,
                    repeat_penalty=1.0,
                    max_tokens=self.max_tokens,
                    stop=stop,
                )
                for part in stream:
                    token = part["choices"][0]["delta"].get("content") or ""
                    if token:
                        chunk = ChatGenerationChunk(message=AIMessageChunk(content=token))
                        if run_manager:
                            run_manager.on_llm_new_token(token, chunk=chunk)
                        yield chunk
            except ValueError as exc:  # e.g. prompt longer than the context
                raise BackendError(f"the local model failed: {exc}") from None

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(c.message.content for c in self._stream(messages, stop, run_manager))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])
