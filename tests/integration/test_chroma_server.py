"""Server mode: index and retrieve through a real ``chroma run`` on loopback."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.helpers import SEEDS, VENV_BIN, free_port, run_cli, wait_http


@pytest.fixture()
def chroma_server(tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [
            str(VENV_BIN / "chroma"),
            "run",
            "--path",
            str(tmp_path / "server-data"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/api/v2/heartbeat", timeout=60, proc=proc)
    except (RuntimeError, TimeoutError) as exc:
        proc.kill()
        pytest.fail(f"chroma run did not start: {exc}")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def test_index_and_retrieve_through_a_chroma_server(chroma_server):
    r = run_cli("index", str(SEEDS), "--chroma-url", chroma_server, "-q")
    assert r.returncode == 0, r.stderr
    assert "5 file(s) indexed" in r.stdout
    r = run_cli("retrieve", "What did Shin Kak-soo say about Quad+?", "--chroma-url", chroma_server, "--json")
    assert r.returncode == 0, r.stderr
    top = json.loads(r.stdout)["passages"][0]
    assert "Shin Kak-soo" in top["text"]
    again = run_cli("index", str(SEEDS), "--chroma-url", chroma_server, "-q")
    assert "5 unchanged" in again.stdout
