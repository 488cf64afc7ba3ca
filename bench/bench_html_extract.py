"""Article text from saved news pages, on ``../shared/bench/html-pages`` (ten real pages, with the
strings that trafilatura's own tests expect each article's text to hold and to leave out, and
metadata): the old built-in extractor alone (:func:`assistant.ingest.html_text.whole_page`),
trafilatura's own text, and the product (:func:`assistant.ingest.load.read_article`:
trafilatura's main content and metadata, read into paragraphs).

    .venv/bin/python bench/bench_html_extract.py

Texts are compared whitespace-folded. Metadata: the article's title, publisher (site name)
and date as each one gives them, against the expectations (the fields an article has; the five
expected authors are left out, as an article has no author field). Time is the extraction of all ten pages, best of three.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from assistant.ingest.html_text import whole_page
from assistant.ingest.load import read_article

Extract = Callable[[Path], dict[str, str]]
STORED = ("title", "sitename", "date")
"""The metadata an article keeps (title, publisher, date), as the expectations name them."""


def fold(text: str) -> str:
    return " ".join(text.split())


def product(path: Path) -> dict[str, str]:
    a = read_article(path)
    return {"text": a.text, "title": a.title, "sitename": a.publisher, "date": a.date}


def builtin(path: Path) -> dict[str, str]:
    """The extractor before trafilatura: the whole page's blocks, metadata from its own tags."""
    from assistant.ingest import load

    page = whole_page(path.read_text(encoding="utf-8", errors="replace"))
    a = load.Article(source=str(path), path=path, text=page.text)
    load._parse_html(a, page)
    return {"text": a.text, "title": a.title, "sitename": a.publisher, "date": a.date}


def trafilatura_extract(path: Path) -> dict[str, str]:
    import trafilatura

    html = path.read_text(encoding="utf-8", errors="replace")
    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, favor_precision=False)
    if doc is None:
        return {"text": ""}
    d = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return {k: d.get(k) or "" for k in ("text", "title", "sitename", "date", "author")}


def score(name: str, fn: Extract, pages: list[dict], root: Path) -> dict[str, object]:
    kept = left_out = want_in = want_out = meta_ok = meta_n = 0
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        got = [fn(root / p["file"]) for p in pages]
        best = min(best, time.perf_counter() - t0)
    for p, g in zip(pages, got):
        text = fold(g.get("text", ""))
        want_in += len(p["include"])
        kept += sum(fold(s) in text for s in p["include"])
        want_out += len(p["exclude"])
        left_out += sum(fold(s) not in text for s in p["exclude"])
        for key, value in p.get("metadata", {}).items():
            if key not in STORED:
                continue
            meta_n += 1
            meta_ok += bool(g.get(key)) and fold(value).lower() in fold(str(g[key])).lower()
    return {"extractor": name, "included kept": f"{kept}/{want_in}", "boilerplate left out": f"{left_out}/{want_out}",
            "metadata matched": f"{meta_ok}/{meta_n}", "seconds (10 pages)": round(best, 3)}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=Path, default=Path("../shared/bench/html-pages"))
    args = ap.parse_args()
    pages = [json.loads(line) for line in (args.pages / "expectations.jsonl").read_text().splitlines() if line.strip()]
    rows = [
        score("built-in html_text alone (before)", builtin, pages, args.pages / "pages"),
        score("trafilatura's own text", trafilatura_extract, pages, args.pages / "pages"),
        score("product: trafilatura, then paragraphs", product, pages, args.pages / "pages"),
    ]
    print("| extractor | required strings kept | boilerplate left out | metadata matched | time, 10 pages |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['extractor']} | {r['included kept']} | {r['boilerplate left out']} | "
              f"{r['metadata matched']} | {r['seconds (10 pages)']} s |")  # fmt: skip


if __name__ == "__main__":
    main()
