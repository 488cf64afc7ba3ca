"""PDF articles: the text layer that offsets index, each span's page, and the files that are refused."""

from __future__ import annotations

import shutil

import pytest

from assistant.ingest.chunk import chunk_article
from assistant.ingest.load import LoadError, iter_files, page_at, read_article, source_text
from assistant.ingest.pdf_text import PAGE_BREAK, extract, reflow
from tests.helpers import DATA

PDF = DATA / "pdf" / "article.pdf"
SCANNED = DATA / "pdf" / "scanned.pdf"


def test_reflow_joins_wrapped_lines_and_keeps_every_offset():
    page = "A long line of body text that wraps\non to the next line here.\nShort heading\nAnother long line of text that wraps\nend."
    out = reflow(page)
    assert len(out) == len(page)
    assert out.split("\n") == [
        "A long line of body text that wraps on to the next line here.",
        "Short heading",
        "Another long line of text that wraps end.",
    ]


def test_the_text_layer_is_what_offsets_index():
    a = read_article(PDF)
    assert a.text == source_text(PDF) == extract(PDF).text
    assert (a.title, a.publisher, a.date) == (
        "Harbour authority approves a second container terminal",
        "Coastal Ledger",
        "2021-03-14",
    )
    for c in chunk_article(a, 420):
        assert source_text(PDF)[c.start : c.end] == c.text
    # Paragraphs read as one line each: the chunker sees whole sentences.
    assert "ending a planning dispute that had lasted almost six years." in a.text


def test_each_offset_has_its_page():
    doc = extract(PDF)
    assert len(doc.page_starts) >= 2, "the test PDF should span pages"
    second = doc.page_starts[1]
    assert doc.text[second - len(PAGE_BREAK) : second] == PAGE_BREAK
    assert page_at(PDF, 0) == 1 and page_at(PDF, second - 1) == 1 and page_at(PDF, second) == 2
    assert page_at(PDF, len(doc.text) - 1) == len(doc.page_starts)
    assert page_at(DATA / "html" / "blog.html", 0) is None  # only PDFs have pages


def test_a_scanned_pdf_is_refused_with_its_reason():
    with pytest.raises(LoadError, match=r"no text layer in its 1 page\(s\), so probably a scanned PDF; run OCR"):
        read_article(SCANNED)


def test_a_damaged_pdf_is_refused(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7 this is not really a PDF")
    with pytest.raises(LoadError, match="not a readable PDF"):
        read_article(bad)
    half = tmp_path / "half.pdf"
    half.write_bytes(PDF.read_bytes()[: PDF.stat().st_size // 3])
    with pytest.raises(LoadError):
        read_article(half)


def test_a_folder_yields_its_pdfs(tmp_path):
    shutil.copy(PDF, tmp_path / "a.pdf")
    shutil.copy(PDF, tmp_path / "B.PDF")
    assert sorted(f.name for f, problem in iter_files([tmp_path]) if problem is None) == ["B.PDF", "a.pdf"]
