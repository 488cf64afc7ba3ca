"""OpenAI-compatible backend: vLLM, a llama.cpp server, LM Studio, or OpenAI itself."""

from __future__ import annotations

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.config import Settings
from assistant.errors import UserError


def make(settings: Settings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    if not settings.llm_base_url:
        raise UserError("the openai backend needs --base-url or ASSISTANT_LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1)")
    return ChatOpenAI(
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key or "not-needed",
        model=settings.llm_model or "default",
        temperature=0,
        max_tokens=settings.max_tokens,
        timeout=120,
        max_retries=0,
        streaming=True,
    )
