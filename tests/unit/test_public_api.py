"""The names the README tells users to import come from the package itself, without heavy imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

import assistant


def test_the_public_names_are_the_ones_the_readme_names():
    import re

    from tests.helpers import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Programmatic use") :].split("\n## ", 1)[0]
    named = re.search(r"`from assistant import ([\w, ]+)`", section).group(1).split(", ")
    assert sorted(named) == sorted(assistant.__all__)
    for name in named:
        assert getattr(assistant, name).__name__ == name


def test_the_public_names_are_exported():
    from assistant.answer.answerer import Answerer
    from assistant.config import Settings
    from assistant.retrieve.langchain import NewsRetriever

    assert assistant.Answerer is Answerer and assistant.Settings is Settings
    assert assistant.NewsRetriever is NewsRetriever
    assert set(assistant.__all__) >= {"Answerer", "NewsRetriever", "Settings"}
    with pytest.raises(AttributeError):
        assistant.NoSuchThing  # noqa: B018


def test_importing_the_package_loads_no_model_library():
    code = "import sys, assistant; print(any(m in sys.modules for m in ('torch', 'gradio', 'chromadb')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def _clean_env() -> dict[str, str]:
    import os

    from assistant.offline import OFFLINE_ENV

    return {k: v for k, v in os.environ.items() if k not in OFFLINE_ENV}


def _run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=_clean_env()
    ).stdout


def test_a_library_user_gets_offline_mode_without_the_cli():
    code = "import os; from assistant.retrieve import retriever; print(os.environ.get('HF_HUB_OFFLINE'), os.environ.get('ANONYMIZED_TELEMETRY'))"
    assert _run(code).split() == ["1", "False"]


def test_the_offline_check_starts_from_an_environment_without_the_variables():
    """Positive control: the same interpreter and environment, without importing the package."""
    assert _run("import os; print(os.environ.get('HF_HUB_OFFLINE'))").strip() == "None"
