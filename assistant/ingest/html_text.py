"""The readable text of a saved web page: its main content, one paragraph per block element.

trafilatura, the field's extractor of article text, picks the main content and reads the
metadata (title, site name, date); the paragraphs of its HTML output are then read here, so
they are the same blocks as for any page. ``bench/bench_html_extract.py`` measured the choice
on ten real saved news pages (``docs/benchmarks.md``). When trafilatura finds no main content
(a page of a few lines), the whole page is read here instead.

Inline markup (``<b>``, ``<a>``, ``<span>``) stays inside its sentence, entities are
decoded ("M&uuml;ller" is "Müller"), and page furniture is left out: scripts and
styles, navigation, forms, asides, footers, and headers outside the article. Blocks
are joined by a blank line. For an HTML article, this text is what citation offsets
index (see :func:`assistant.ingest.load.source_text`), so a citation stays exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements whose content is never article text.
_DROP = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "nav",
    "form",
    "aside",
    "footer",
    "button",
    "select",
    "textarea",
    "iframe",
    "object",
    "canvas",
    "dialog",
    "menu",
}
# A <header> is page furniture unless it sits inside the article (where it holds the headline).
_CONTENT = {"article", "main"}
_BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "table",
    "tr",
    "td",
    "th",
    "figure",
    "figcaption",
    "address",
    "hr",
    "br",
    "body",
    "title",
}
# Containers whose class, id or ARIA role names page furniture (generic web vocabulary).
_FURNITURE = re.compile(
    r"(?:^|[\s_-])(?:cookies?|consent|newsletter|subscribe|signup|related|share|sharing|social|comments?|promo|"
    r"advert|ads?|sponsored|breadcrumbs?|menu|sidebar|masthead|site-header|site-footer|popup|modal|paywall|"
    r"navigation|banner|contentinfo|complementary)(?:$|[\s_-])",
    re.I,
)
# Elements that never have an end tag.
_VOID = {"br", "hr", "img", "meta", "link", "input", "source", "wbr", "area", "base", "col", "embed", "track"}


@dataclass
class PageText:
    """What :func:`extract` finds in a page; ``found`` is trafilatura's metadata (``title``,
    ``sitename``, ``date`` as ISO, ``author``), each only when it found one."""

    text: str
    title: str = ""
    h1: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    found: dict[str, str] = field(default_factory=dict)


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.buffer: list[str] = []
        self.stack: list[str] = []
        self.drop_depth = 0
        self.content_depth = 0
        self.title = ""
        self.h1 = ""
        self.meta: dict[str, str] = {}

    def _flush(self) -> None:
        text = " ".join("".join(self.buffer).split())
        if text:
            self.blocks.append(text)
        self.buffer = []

    def _dropping(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        if tag in _DROP or (tag == "header" and not self.content_depth):
            return True
        names = " ".join(v or "" for k, v in attrs if k in ("class", "id", "role"))
        return tag not in ("html", "body") and bool(names and _FURNITURE.search(names))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            a = {k.lower(): (v or "") for k, v in attrs}
            key = (a.get("property") or a.get("name") or "").lower()
            if key and a.get("content"):
                self.meta[key] = a["content"]
            return
        if tag in _BLOCKS:
            self._flush()
        if tag in _VOID:
            return
        self.stack.append(tag)
        if self.drop_depth or self._dropping(tag, attrs):
            self.drop_depth += 1
        if tag in _CONTENT:
            self.content_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or tag not in self.stack:
            return
        while self.stack:  # close anything left open inside it (unclosed <p>, <li>)
            open_tag = self.stack.pop()
            if self.drop_depth:
                self.drop_depth -= 1
            if open_tag in _CONTENT:
                self.content_depth -= 1
            if open_tag == "title":
                self.title = " ".join("".join(self.buffer).split())
                self.buffer = []
            if open_tag == "h1" and not self.h1 and not self.drop_depth:
                self.h1 = " ".join("".join(self.buffer).split())
            if open_tag in _BLOCKS:
                self._flush()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.drop_depth and "title" not in self.stack:
            return
        if "head" in self.stack and "title" not in self.stack:
            return
        self.buffer.append(data)


def extract(html: str) -> PageText:
    """The page's main text (trafilatura's choice, in this module's paragraphs), its title, first
    ``<h1>``, ``<meta>`` values and trafilatura's metadata."""
    import trafilatura
    from trafilatura.metadata import extract_metadata

    page = whole_page(html)
    main = trafilatura.extract(html, output_format="html", include_tables=True, include_comments=False)
    text = whole_page(main).text if main else ""
    if text.strip():
        page.text = text
    meta = extract_metadata(html)
    if meta is not None:
        page.found = {k: str(getattr(meta, k)) for k in ("title", "sitename", "date", "author") if getattr(meta, k)}
    return page


def whole_page(html: str) -> PageText:
    """Every block of readable text in the page, without its furniture: the fallback of :func:`extract`."""
    parser = _Extractor()
    parser.feed(html)
    parser.close()
    parser._flush()
    blocks = [b for b in parser.blocks if b != parser.title or not parser.title]
    text = "\n\n".join(blocks)
    return PageText(text=re.sub(r"\n{3,}", "\n\n", text), title=parser.title, h1=parser.h1, meta=parser.meta)
