"""Server mode: index and retrieve through a real ``chroma run`` on loopback."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request

import pytest

from tests.helpers import SEEDS, VENV_BIN, free_port, run_cli


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
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chroma run did not start")
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
