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


def test_a_reuters_sample_through_a_chroma_server_with_a_filter(chroma_server, tmp_path):
    """Real archive articles (every tenth of the first 600 of Reuters-21578, so several days)
    indexed and queried through `chroma run`; a date filter is applied by the server's own query."""
    import subprocess
    import sys

    from tests.helpers import ROOT

    reuters = ROOT.parent / "shared" / "bench" / "reuters21578"
    corpus = tmp_path / "reuters"
    subprocess.run([sys.executable, str(reuters / "to_articles.py"), str(corpus), "--limit", "600"], check=True,
                   capture_output=True)  # fmt: skip
    for i, f in enumerate(sorted(corpus.iterdir())):
        if i % 10:
            f.unlink()
    r = cli("index", str(corpus), "--chroma-url", chroma_server, "-q")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("60 file(s) indexed")
    question = "What did the company say about its quarterly dividend?"
    r = cli("retrieve", question, "--chroma-url", chroma_server, "--json", "--k", "10")
    passages = json.loads(r.stdout)["passages"]
    dates = {p["date"] for p in passages}
    assert len(passages) == 10 and all(p["publisher"] == "Reuters" for p in passages)
    assert len(dates) > 1  # the control: unfiltered, several days answer
    day = sorted(dates)[-1]
    r = cli("retrieve", question, "--chroma-url", chroma_server, "--json", "--k", "10", "--since", day, "--until", day)
    assert r.returncode == 0, r.stderr
    filtered = json.loads(r.stdout)["passages"]
    assert filtered and {p["date"] for p in filtered} == {day}
