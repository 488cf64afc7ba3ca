"""Ollama backend (native API), e.g. ``ollama serve`` on http://127.0.0.1:11434."""

from __future__ import annotations

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.config import Settings


def make(settings: Settings) -> BaseChatModel:
    from langchain_ollama import ChatOllama

    return ChatOllama(
        base_url=settings.llm_base_url or "http://127.0.0.1:11434",
        model=settings.llm_model or "qwen2.5-coder:1.5b",
        temperature=0,
        num_predict=settings.max_tokens,
        num_ctx=settings.n_ctx,
    )
