"""Server mode: index and retrieve through a real ``chroma run`` on loopback."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.helpers import SEEDS, VENV_BIN, cli, free_port, running


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


def test_index_and_retrieve_through_a_chroma_server(chroma_server, tmp_path):
    corpus = tmp_path / "corpus"  # two of the seeds: the one the question is about, and another
    corpus.mkdir()
    for name in ("002_cc4a64d2fab6b694.txt", "003_be35bce159577316.txt"):
        shutil.copy(SEEDS / name, corpus / name)
    r = cli("index", str(corpus), "--chroma-url", chroma_server, "-q")
    assert r.returncode == 0, r.stderr
    assert "2 file(s) indexed" in r.stdout
    r = cli("retrieve", "What did Shin Kak-soo say about Quad+?", "--chroma-url", chroma_server, "--json")
    assert r.returncode == 0, r.stderr
    top = json.loads(r.stdout)["passages"][0]
    assert "Shin Kak-soo" in top["text"]
    again = cli("index", str(corpus), "--chroma-url", chroma_server, "-q")
    assert "2 unchanged" in again.stdout
