"""LLM backends behind one interface (a LangChain chat model), chosen by ``Settings.llm``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.errors import UserError

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

BACKENDS = ("llamacpp", "openai", "ollama")


def describe(settings: Settings) -> str:
    """A short human-readable name of the configured backend and model."""
    if settings.llm == "llamacpp":
        return (
            f"llamacpp:{Path(settings.llm_model).name if settings.llm_model else 'qwen2.5-coder-1.5b-instruct-q4_k_m'}"
        )
    return f"{settings.llm}:{settings.llm_model or 'default'}@{settings.llm_base_url or 'default'}"


def gguf_path(settings: Settings, say=print) -> Path:
    """The GGUF the ``llamacpp`` backend loads: ``--model``, else the embedded one (assembled once)."""
    from assistant.llm.model_file import ensure_model

    path = Path(settings.llm_model) if settings.llm_model else ensure_model(settings.cache_dir, say=say)
    if not path.is_file():
        raise UserError(f"model file {path} does not exist")
    return path


def start_loading(settings: Settings, say=print) -> None:
    """Start loading the embedded model now, in the background (``llamacpp`` only; see :mod:`.preload`)."""
    if settings.llm == "llamacpp":
        from assistant.llm.preload import start

        start(str(gguf_path(settings, say)), settings.n_ctx, settings.n_threads)


def get_llm(settings: Settings, say=print) -> BaseChatModel:
    """Build the chat model for ``settings.llm``."""
    if settings.llm == "llamacpp":
        from assistant.llm.llamacpp import ChatLlamaCppLocal

        path = gguf_path(settings, say)
        return ChatLlamaCppLocal(
            model_path=str(path), n_ctx=settings.n_ctx, n_threads=settings.n_threads, max_tokens=settings.max_tokens
        )
    if settings.llm == "openai":
        from assistant.llm.openai_compat import make

        return make(settings)
    if settings.llm == "ollama":
        from assistant.llm.ollama import make

        return make(settings)
    raise UserError(f"unknown LLM backend {settings.llm!r}; choose one of {', '.join(BACKENDS)}")
