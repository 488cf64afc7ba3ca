"""The package on its own: built and installed (not editable), it answers from another directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from assistant.config import PROJECT_ROOT
from assistant.llm.model_file import smollm_path


@pytest.mark.llm
def test_the_installed_package_answers_from_another_directory(settings, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(PROJECT_ROOT),
        ],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(target),  # ahead of the editable install of the checkout
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_LLM_MODEL": str(smollm_path()),
        "ASSISTANT_MAX_TOKENS": "32",
    }

    def py(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *args], cwd=elsewhere, env=env, capture_output=True, text=True)

    where = py("-c", "import assistant.config as c; print(c.__file__); print(c.PROMPTS_DIR); print(c.IN_CHECKOUT)")
    module, prompts, in_checkout = where.stdout.split()
    assert module.startswith(str(target)) and prompts.startswith(str(target)) and in_checkout == "False"
    r = py(
        "-c",
        "import sys; from assistant.cli.main import main; sys.exit(main())",
        "ask",
        "--json",
        "What did Austin say?",
    )
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["status"] in ("answered", "uncertain", "not_found") and result["retrieved"]
    for c in result["citations"]:
        assert open(c["source"], encoding="utf-8").read()[c["start"] : c["end"]] == c["text"]
