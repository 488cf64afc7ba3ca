"""Server mode: index and retrieve through a real ``chroma run`` on loopback."""

from __future__ import annotations

import json

import pytest

from tests.helpers import SEEDS, VENV_BIN, free_port, run_cli, running


@pytest.fixture()
def chroma_server(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [
        str(VENV_BIN / "chroma"),
        "run",
        "--path",
        str(tmp_path / "data"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with running(cmd, f"{url}/api/v2/heartbeat", timeout=60):
        yield url


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
