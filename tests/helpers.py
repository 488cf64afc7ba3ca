"""Helpers shared by the tests: paths, a free port, running the CLI."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from assistant.config import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "seeds"
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 600, **kw) -> subprocess.CompletedProcess:
    """Run the installed ``assistant`` console script."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [str(VENV_BIN / "assistant"), *args], capture_output=True, text=True, env=full_env, timeout=timeout, **kw
    )
