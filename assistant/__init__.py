"""Offline question answering over news articles, every claim cited to an exact passage.

The public API (what the README's "Programmatic use" names, and nothing more), imported lazily
so that ``import assistant`` stays cheap::

    from assistant import Answerer, AnswerResult, NewsRetriever, Policy, Retriever, Settings

    settings = Settings.from_env()
    answerer = Answerer(settings)
    result = answerer.answer("What did the minister say about the talks?")
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from assistant.offline import apply_offline_env

apply_offline_env()  # before any submodule loads a library

__all__ = ["Answerer", "AnswerResult", "NewsRetriever", "Policy", "Retriever", "Settings"]

_WHERE = {
    "Answerer": "answer.answerer",
    "AnswerResult": "answer.result",
    "NewsRetriever": "retrieve.langchain",
    "Policy": "policy",
    "Retriever": "retrieve.retriever",
    "Settings": "config",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
