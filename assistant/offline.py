"""Offline mode and no telemetry, for every library the package loads.

Applied when :mod:`assistant` is imported, before any submodule can import Hugging Face,
sentence-transformers, Chroma or Gradio, so a library user of ``Answerer`` gets the same
guarantees as the command line.
"""

from __future__ import annotations

import os

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "CHROMA_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
}


def apply_offline_env() -> None:
    """Force offline mode and disable telemetry for every library we load."""
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value
