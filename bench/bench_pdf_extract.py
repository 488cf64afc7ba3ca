"""PDF text: pypdfium2 against pypdf, on news pages printed to PDF by Chromium.

The ten real saved news pages of ``../shared/bench/html-pages`` are printed with the Debian
Chromium the tests use (``--headless --print-to-pdf``, cached in ``--pdfs``), and each
library's text is checked for the strings trafilatura's tests expect each article to hold
(whitespace-folded; a word split by a line-end hyphen counts as missing). Time is the
extraction of all ten PDFs, best of three.

    .venv/bin/pip install pypdf==7.1.0   # the comparison only; the product needs pypdfium2 alone
    .venv/bin/python bench/bench_pdf_extract.py
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

PAGES = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "html-pages"


def fold(text: str) -> str:
    return " ".join(text.split())


def pdfium_text(path: Path) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return "\n\n".join(page.get_textpage().get_text_bounded() for page in pdf)
    finally:
        pdf.close()


def pypdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def printed(pages: Path, out: Path) -> list[Path]:
    """Each page printed to ``out/NAME.pdf`` (once)."""
    out.mkdir(parents=True, exist_ok=True)
    pdfs = []
    for html in sorted((pages / "pages").glob("*.html")):
        pdf = out / (html.stem + ".pdf")
        if not pdf.exists():
            subprocess.run(
                ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                 f"--print-to-pdf={pdf}", html.resolve().as_uri()],
                capture_output=True, timeout=120, check=False,
            )  # fmt: skip
        pdfs.append(pdf)
    return pdfs


def score(fn: Callable[[Path], str], pdfs: list[Path], expect: dict[str, dict]) -> dict[str, object]:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        texts = [fn(p) for p in pdfs]
        best = min(best, time.perf_counter() - t0)
    kept = wanted = broken = 0
    for pdf, text in zip(pdfs, texts):
        folded = fold(text)
        for s in expect[pdf.stem + ".html"]["include"]:
            wanted += 1
            kept += fold(s) in folded
        broken += len(re.findall(r"\w-\n\w", text))
    return {"kept": kept, "wanted": wanted, "hyphen_breaks": broken, "seconds": round(best, 3),
            "chars": sum(len(t) for t in texts)}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=Path, default=PAGES)
    ap.add_argument("--pdfs", type=Path, default=Path("/tmp/news-pdfs"))
    args = ap.parse_args()
    expect = {}
    for line in (args.pages / "expectations.jsonl").read_text().splitlines():
        d = json.loads(line)
        expect[d["file"].split("/")[-1]] = d
    pdfs = printed(args.pages, args.pdfs)
    print("| library | required strings kept | line-end hyphen breaks | characters | time, 10 PDFs |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, fn in (("pypdfium2", pdfium_text), ("pypdf", pypdf_text)):
        r = score(fn, pdfs, expect)
        print(f"| {name} | {r['kept']}/{r['wanted']} | {r['hyphen_breaks']} | {r['chars']} | {r['seconds']} s |")


if __name__ == "__main__":
    main()
