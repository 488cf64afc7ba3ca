"""Shared fixtures: a real Chroma index of seeds/ in a temp dir, real models."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.config import Settings
from tests.helpers import AUTH, SEEDS, guarded_env, serving

# Fixtures that load and run a language model; a test using any of them is marked `llm`.
LLM_FIXTURES = {"answerer", "small_answerer", "llamacpp_model", "openai_server"}


def pytest_collection_modifyitems(config, items) -> None:
    """Apply the markers declared in pyproject.toml, so `-m "not llm and not browser"` is the fast loop.

    `integration`: every test under tests/integration (real models and stores).
    `llm`: a test using an LLM fixture; tests that run the model in a subprocess say so themselves.
    `browser`: a test driving Chromium (the `page` fixture).
    """
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.integration)
        if names & LLM_FIXTURES:
            item.add_marker(pytest.mark.llm)
        if "page" in names:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    """A private copy of the seed articles."""
    d = tmp_path_factory.mktemp("corpus")
    for f in SEEDS.iterdir():
        shutil.copy(f, d / f.name)
    return d


@pytest.fixture(scope="session")
def settings(tmp_path_factory, corpus_dir) -> Settings:
    """Settings for an index of the seeds, built once per session."""
    from assistant.store.build import build_index

    s = Settings.from_env().with_(index_dir=tmp_path_factory.mktemp("index"), quiet=True, corpus_dir=corpus_dir)
    build_index([corpus_dir], s, say=lambda m: None)
    return s


@pytest.fixture(scope="session")
def retriever(settings):
    from assistant.retrieve.retriever import Retriever

    return Retriever(settings)


@pytest.fixture(scope="session")
def answerer(settings, retriever):
    """The real embedded model (Qwen2.5-Coder-1.5B)."""
    from assistant.answer.answerer import Answerer

    return Answerer(settings, retriever=retriever, say=lambda m: None)


@pytest.fixture(scope="session")
def small_answerer(settings, retriever):
    """SmolLM2-135M: weak, but exercises generation quickly."""
    from assistant.answer.answerer import Answerer
    from assistant.llm.model_file import smollm_path

    s = settings.with_(llm_model=str(smollm_path()), max_tokens=64)
    return Answerer(s, retriever=retriever, say=lambda m: None)


@pytest.fixture(scope="session")
def auth_server(settings, tmp_path_factory):
    """One `assistant serve --auth` over the session's index, shared by the tests of the server
    (a start costs seconds).  It runs under the network guard: yields its URL and its environment,
    whose ``NET_GUARD_LOG`` lists any connection it tried outside loopback."""
    root = tmp_path_factory.mktemp("auth-server")
    env = guarded_env(root / "net.log", settings.index_dir) | {"ASSISTANT_QUIET": "1"}
    with serving("--auth", AUTH, env=env, log=root / "serve.log") as url:
        yield url.rstrip("/"), env
