"""The names the README tells users to import come from the package itself, without heavy imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

import assistant


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
