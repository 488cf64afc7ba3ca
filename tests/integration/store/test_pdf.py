"""PDF articles end to end: indexed into a real store, retrieved and cited as exact spans with
their page; a scanned PDF is skipped with its reason."""

from __future__ import annotations

import json
import shutil

import pytest

from assistant.ingest.load import source_text
from tests.helpers import DATA, cli

QUESTION = "How many berths will the new container terminal have?"


@pytest.fixture(scope="module")
def pdf_index(tmp_path_factory):
    """An index of the test article PDF and the scanned one, built by the CLI."""
    root = tmp_path_factory.mktemp("pdf")
    corpus = root / "corpus"
    corpus.mkdir()
    for name in ("article.pdf", "scanned.pdf"):
        shutil.copy(DATA / "pdf" / name, corpus / name)
    env = {"ASSISTANT_INDEX_DIR": str(root / "index")}
    r = cli("index", str(corpus), env=env)
    return corpus, env, r


def test_a_scanned_pdf_is_skipped_with_its_reason_and_the_other_indexed(pdf_index):
    corpus, _, r = pdf_index
    assert r.returncode == 0, r.stderr
    assert f"skipped {corpus / 'scanned.pdf'}: no text layer in its 1 page(s), so probably a scanned PDF" in r.stderr
    assert r.stdout.startswith("1 file(s) indexed, 0 unchanged, 1 skipped")


def test_a_pdf_passage_is_an_exact_span_with_its_page(pdf_index):
    corpus, env, _ = pdf_index
    r = cli("retrieve", QUESTION, "--json", "--k", "10", env=env)
    assert r.returncode == 0, r.stderr
    passages = json.loads(r.stdout)["passages"]
    text = source_text(corpus / "article.pdf")
    pages = set()
    for p in passages:
        assert text[p["start"] : p["end"]] == p["text"]
        assert p["title"] == "Harbour authority approves a second container terminal"
        pages.add(p["page"])
    assert "four berths" in passages[0]["text"] and passages[0]["page"] == 1
    assert pages >= {1, 2}  # the article spans two pages, and each passage says which


@pytest.mark.llm
def test_a_pdf_citation_is_exact_and_carries_its_page(pdf_index):
    corpus, env, _ = pdf_index
    r = cli("ask", QUESTION, "--json", env=env)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["citations"], out["answer"]
    text = source_text(corpus / "article.pdf")
    for c in out["citations"]:
        assert text[c["start"] : c["end"]] == c["text"]
        assert c["page"] == 1 and "four berths" in c["text"]
