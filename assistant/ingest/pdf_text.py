"""The text layer of a PDF article, with pypdfium2 (PDFium's own text extraction).

Chosen by ``bench/bench_pdf_extract.py`` (news pages printed to PDF): pypdfium2 kept every
required string, 20× faster than pypdf, without breaking words at line ends
(``docs/benchmarks.md``). The text returned here is what a PDF's offsets index
(:func:`assistant.ingest.load.source_text`): each page's text with ``\\n`` line ends, pages
joined by a blank line, so a citation stays an exact span and its page is found from
:attr:`PdfText.page_starts`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

PAGE_BREAK = "\n\n"
"""Between two pages' texts."""
FULL_LINE = 0.8
"""A line at least this share of a page's typical full line (its 90th-percentile length) wraps
on to the next: their line break becomes a space, so a paragraph reads as one line, as the
chunker expects (:func:`reflow`)."""


def reflow(page: str) -> str:
    """``page`` with each wrapped line joined to the next by a space (same length, same offsets);
    the line breaks after short lines (headings, a paragraph's last line) stay."""
    lines = page.split("\n")
    widths = sorted(len(ln.strip()) for ln in lines if ln.strip())
    if len(widths) < 2:
        return page
    full = widths[int(0.9 * (len(widths) - 1))]
    out = []
    for line, after in zip(lines, lines[1:] + [""]):
        wraps = len(line.strip()) >= FULL_LINE * full and after.strip() and line.strip()
        out.append(line + (" " if wraps else "\n"))
    return "".join(out)[:-1]


class PdfError(Exception):
    """A PDF that yields no article text; the message says why."""


@dataclass(frozen=True)
class PdfText:
    """A PDF's text, where each page starts in it, and the title its metadata gives."""

    text: str
    page_starts: tuple[int, ...]
    title: str = ""

    def page_at(self, offset: int) -> int:
        """The 1-based page that holds character ``offset`` of :attr:`text`."""
        return max(1, bisect.bisect_right(self.page_starts, offset))


def extract(path: Path) -> PdfText:
    """The text layer of the PDF at ``path``; :class:`PdfError` for a damaged, locked or
    scanned (image-only) file."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise PdfError("password-protected PDF; save an unlocked copy to index it") from None
        raise PdfError(f"not a readable PDF ({exc})") from None
    try:
        pages, starts, at = [], [], 0
        for page in pdf:
            text = reflow(page.get_textpage().get_text_bounded().replace("\r\n", "\n").replace("\r", "\n"))
            starts.append(at)
            pages.append(text)
            at += len(text) + len(PAGE_BREAK)
        title = str(pdf.get_metadata_dict().get("Title") or "").strip()
    finally:
        pdf.close()
    if not pages:
        raise PdfError("the PDF has no pages")
    text = PAGE_BREAK.join(pages)
    if not text.strip():
        raise PdfError(
            f"no text layer in its {len(pages)} page(s), so probably a scanned PDF; "
            "run OCR on it first (for example with ocrmypdf) and index the result"
        )
    return PdfText(text=text, page_starts=tuple(starts), title=title)
