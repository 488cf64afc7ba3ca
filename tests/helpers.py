"""Helpers shared by the tests: paths, a free port, running the CLI."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
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


def wait_http(url: str, timeout: float = 180, proc: subprocess.Popen | None = None) -> None:
    """Wait until ``url`` answers; fail early if ``proc`` died."""
    import time
    import urllib.request

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"server exited with code {proc.returncode}") from None
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def running(
    cmd: list[str], ready_url: str, env: dict[str, str] | None = None, log: Path | None = None, timeout: float = 180
) -> Iterator[subprocess.Popen]:
    """Run a server process until the block ends; ready once ``ready_url`` answers."""
    out = open(log, "w") if log else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=out, stderr=out)
    try:
        wait_http(ready_url, timeout=timeout, proc=proc)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def serving(*args: str, env: dict[str, str], log: Path | None = None) -> Iterator[str]:
    """``assistant serve`` on a free loopback port; yields its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with running([str(VENV_BIN / "assistant"), "serve", "--port", str(port), *args], url, env=env, log=log):
        yield url
