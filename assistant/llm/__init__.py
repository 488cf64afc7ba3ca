"""LLM backends behind one interface (a LangChain chat model), chosen by ``Settings.llm``."""

from __future__ import annotations

from pathlib import Path

from langchain_core.language_models.chat_models import BaseChatModel

from ..config import Settings
from ..errors import UserError

BACKENDS = ("llamacpp", "openai", "ollama")


def describe(settings: Settings) -> str:
    """A short human-readable name of the configured backend and model."""
    if settings.llm == "llamacpp":
        return (
            f"llamacpp:{Path(settings.llm_model).name if settings.llm_model else 'qwen2.5-coder-1.5b-instruct-q4_k_m'}"
        )
    return f"{settings.llm}:{settings.llm_model or 'default'}@{settings.llm_base_url or 'default'}"


def get_llm(settings: Settings, say=print) -> BaseChatModel:
    """Build the chat model for ``settings.llm``."""
    if settings.llm == "llamacpp":
        from .llamacpp import ChatLlamaCppLocal
        from .model_file import ensure_model

        path = Path(settings.llm_model) if settings.llm_model else ensure_model(settings.cache_dir, say=say)
        if not path.is_file():
            raise UserError(f"model file {path} does not exist")
        return ChatLlamaCppLocal(
            model_path=str(path), n_ctx=settings.n_ctx, n_threads=settings.n_threads, max_tokens=settings.max_tokens
        )
    if settings.llm == "openai":
        from .openai_compat import make

        return make(settings)
    if settings.llm == "ollama":
        from .ollama import make

        return make(settings)
    raise UserError(f"unknown LLM backend {settings.llm!r}; choose one of {', '.join(BACKENDS)}")
