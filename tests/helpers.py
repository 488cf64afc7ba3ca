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

ROOT = PROJECT_ROOT
DATA = Path(__file__).parent / "data"
SEEDS = PROJECT_ROOT / "seeds"
GUARD = Path(__file__).parent / "data" / "guard"
AUTH = "reader:s3cret"
"""The credentials of the session's shared server (the ``auth_server`` fixture)."""
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


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``assistant ARGS`` in this process (the console script's own ``main``), with ``env``
    added to the environment for the call: the same exit code and output as :func:`run_cli`
    without a new interpreter's second of imports. Tests of what a fresh process imports or of
    the console script itself use :func:`run_cli`."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    from assistant.cli.main import main

    saved = dict(os.environ)
    os.environ.update(env or {})
    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse's usage errors
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return subprocess.CompletedProcess(["assistant", *args], code, out.getvalue(), err.getvalue())


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


def guarded_env(log: Path, index_dir: Path) -> dict[str, str]:
    """Environment for a process whose every non-loopback connect is refused and logged to ``log``
    (``tests/data/guard/sitecustomize.py``), with proxies pointing nowhere."""
    return {
        "PYTHONPATH": str(GUARD),
        "NET_GUARD_LOG": str(log),
        "ASSISTANT_INDEX_DIR": str(index_dir),
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost",
    }


def assert_guard_is_active(env: dict[str, str]) -> None:
    """Positive control: in a process started with ``env``, a non-loopback connect is caught
    and logged.  The probe logs to a file of its own, so ``env``'s log keeps only real traffic."""
    probe_log = Path(env["NET_GUARD_LOG"]).with_suffix(".probe")
    probe = (
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('192.0.2.1', 80), timeout=1)\n"  # TEST-NET-1: never routed
        "except OSError as e:\n"
        "    print('blocked' if 'test guard' in str(e) else 'other: ' + str(e))\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, **env, "NET_GUARD_LOG": str(probe_log)},
        capture_output=True,
        text=True,
    )
    assert r.stdout.strip() == "blocked", r.stdout + r.stderr
    assert "192.0.2.1" in probe_log.read_text()
    probe_log.unlink()


def assert_consistent(result: dict) -> None:
    """What a result's status promises holds: an answer carries citations whose spans are exact,
    an uncertain one also asks the reader to check them, and a not-found result shows the
    not-found sentence with no citation."""
    from assistant.answer.generate import not_found_sentence
    from assistant.config import read_prompt
    from assistant.evaluate.metrics import offsets_valid

    assert 0.0 <= result["confidence"] <= 1.0, result
    if result["status"] in ("answered", "uncertain"):
        assert result["citations"], result
        note = read_prompt("uncertain_note").strip().split("{")[0]
        assert (note in result["answer"]) == (result["status"] == "uncertain"), result
    else:
        assert result["status"] == "not_found" and result["method"] == "not_found", result
        assert not result["citations"] and result["answer"] == not_found_sentence(), result
    assert offsets_valid(result["citations"]), result["citations"]
