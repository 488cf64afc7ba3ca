"""Stage 1: read article files and extract title, publisher and date.

Offsets everywhere refer to :func:`source_text`: the file itself for ``.txt`` and
``.md``, for ``.html`` the page's readable text (:mod:`assistant.ingest.html_text`), and for
``.pdf`` its text layer (:mod:`assistant.ingest.pdf_text`; :func:`page_at` gives a span's page).
A reader checks ``source_text(path)[start:end]`` against a citation.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from assistant.ingest import pdf_text
from assistant.ingest.html_text import PageText, extract
from assistant.ingest.lexicon import MONTHS

SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")
FILE_KINDS = ".txt, .md, .html or .pdf"
"""The supported kinds of article, as messages name them."""


class LoadError(Exception):
    """A file that cannot be indexed; the message says why."""


@dataclass
class Article:
    """One source file, its text and the spans of it that hold body text."""

    source: str  # the absolute path as text: what passages and citations name
    path: Path
    text: str
    title: str = ""
    publisher: str = ""
    date: str = ""
    regions: list[tuple[int, int]] = field(default_factory=list)


def iter_files(paths: Iterable[Path]) -> Iterator[tuple[Path, str | None]]:
    """Yield ``(file, problem)`` for every candidate file under ``paths``, as a resolved path.

    ``problem`` is None for a supported file, or a reason it is not used.
    """
    for p in paths:
        if p.is_dir():
            yield from ((f, None) for f in _folder_files(p))
        elif p.is_file():
            yield p.resolve(), _type_problem(p.name)
        else:
            yield p, "no such file or folder"


def _folder_files(folder: Path) -> list[Path]:
    """The supported files under ``folder``, resolved, hidden files and folders left out, in
    path order. The folder is resolved once; only a file that is itself a link is resolved
    again (linked folders are not followed), so an archive of many files costs no ``realpath``
    each."""
    found: list[str] = []
    stack = [os.path.realpath(folder)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:  # a subfolder that cannot be read is left out, as os.walk does
            continue
        for e in entries:
            if e.name.startswith("."):
                continue
            if e.is_dir(follow_symlinks=False):
                stack.append(e.path)
            elif os.path.splitext(e.name)[1].lower() in SUFFIXES and (e.is_symlink() or e.is_file()):
                found.append(os.path.realpath(e.path) if e.is_symlink() else e.path)
    return [Path(f) for f in sorted(found, key=lambda f: f.split(os.sep))]


def _type_problem(name: str) -> str | None:
    """Why a file of this name is not read as an article, or None."""
    suffix = Path(name).suffix.lower()
    return None if suffix in SUFFIXES else f"unsupported file type {suffix or '(none)'}; use {FILE_KINDS}"


def check_file(path: Path, max_bytes: int, name: str = "") -> None:
    """Raise :class:`LoadError` for a file of an unsupported type or over ``max_bytes``.

    ``name`` is the file's own name when ``path`` is a temporary copy of it (an upload).
    """
    problem = _type_problem(name or path.name)
    if problem:
        raise LoadError(problem)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LoadError(exc.strerror or str(exc)) from None
    if size > max_bytes:
        raise LoadError(f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit")


def read_article(path: Path, max_bytes: int = 5 * 1024 * 1024) -> Article:
    """Read one file; raise :class:`LoadError` for unreadable or unusable files."""
    check_file(path, max_bytes)
    if _is_pdf(path):
        return _read_pdf(path)
    try:
        if not os.access(path, os.R_OK):
            raise LoadError("permission denied")
        head = path.read_bytes()[:8192]
        if b"\x00" in head:
            raise LoadError("binary file (contains NUL bytes)")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(f"not valid UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise LoadError(exc.strerror or str(exc)) from None
    if "\x00" in text:
        raise LoadError("binary file (contains NUL bytes)")
    if not text.strip():
        raise LoadError("empty file")
    # The absolute path: chunk IDs and citations are the same from any working directory.
    article = Article(source=str(path.resolve()), path=path.resolve(), text=text)
    if _is_html(path):
        page = extract(text)
        article.text = page.text
        article.regions = [(0, len(page.text))]
        _parse_html(article, page)
        if not (article.date and article.publisher):  # "Posted: June 7, 2022" in the text itself
            plain = Article(source=article.source, path=article.path, text=page.text)
            _parse_plain(plain, markdown=False)
            article.date = article.date or plain.date
            article.publisher = article.publisher or plain.publisher
    else:
        article.regions = [(0, len(text))]
        _parse_plain(article, markdown=path.suffix.lower() == ".md")
    if not any(text[s:e].strip() for s, e in article.regions):
        raise LoadError("no readable text")
    return article


def _read_pdf(path: Path) -> Article:
    if not os.access(path, os.R_OK):
        raise LoadError("permission denied")
    try:
        doc = pdf_text.extract(path)
    except pdf_text.PdfError as exc:
        raise LoadError(str(exc)) from None
    article = Article(source=str(path.resolve()), path=path.resolve(), text=doc.text, regions=[(0, len(doc.text))])
    plain = Article(source=article.source, path=article.path, text=doc.text)
    _parse_plain(plain, markdown=False)  # a date line, a dateline, a title line in the text itself
    title, site = _split_site_suffix(re.sub(r"\s+", " ", doc.title))
    # A printed page's first lines are often its menus: the publisher is taken only from the
    # document's title ("… | Reuters") or a line that names it, never guessed from a masthead.
    article.title, article.date = title or plain.title, plain.date
    named = any(_PUBLISHER_LINE_RE.match(ln) or _DATELINE_RE.match(ln) for ln in doc.text.splitlines()[:12])
    article.publisher = site or (plain.publisher if named else "")
    return article


# --- metadata -------------------------------------------------------------

_MONTHS = "|".join([m[:3].capitalize() for m in MONTHS] + ["Sept"])
_DATE_RE = re.compile(
    rf"\b((?:{_MONTHS})[a-z]*\.?\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+(?:{_MONTHS})[a-z]*\.?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|\d{{1,2}}-(?:{_MONTHS})-\d{{4}})",  # "26-FEB-1987", as newswires write it
    re.I,
)
# "Reuters, 26-FEB-1987": a dateline naming the publisher (one to four capitalized words) and the date.
_DATELINE_RE = re.compile(r"^\s*((?:[A-Z][\w&.'’-]*\s+){0,3}[A-Z][\w&.'’-]*)\s*,\s*(.+)$")
_DATE_LINE_RE = re.compile(r"^\s*(?:published|posted|updated|date|dated)\s*(?:on)?\s*:?\s*(.+)$", re.I)
_PUBLISHER_LINE_RE = re.compile(r"^\s*(?:publisher|source|published by)\s*:\s*(.+)$", re.I)


def parse_date(value: str) -> str:
    """Return an ISO date for the first date in ``value``, or ``""``."""
    m = _DATE_RE.search(value)
    if not m:
        return ""
    raw = m.group(1)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raw = re.sub(r"[\s-]+", " ", raw.replace(",", "").replace(".", "")).title()
    raw = raw.replace("Sept ", "Sep ")
    for fmt in ("%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw, fmt).date().isoformat()
        except ValueError:
            continue
    return ""


def _is_section_label(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _is_sentence(line: str) -> bool:
    """A line of body text, not a headline: it ends with a full stop after a word ("… this year.",
    not "… the U.S.")."""
    return line.endswith(".") and "." not in line.split()[-1][:-1]


def _is_masthead(line: str) -> bool:
    words = line.split()
    return 1 <= len(words) <= 4 and all(w[:1].isupper() for w in words) and not line.endswith((".", ":"))


def _standalone_heading(lines: list[str]) -> str:
    """A short first line that is a paragraph of its own ("Normans" above the text) is a title."""
    filled = [i for i, ln in enumerate(lines) if ln]
    if len(filled) < 2:
        return ""
    first = lines[filled[0]]
    alone = filled[1] > filled[0] + 1  # a blank line follows it
    short = len(first.split()) <= 12 and len(first) <= 150 and not first.endswith((".", "!", "?", ":", ";", ","))
    return first if alone and short and not _is_section_label(first) else ""


def _split_site_suffix(title: str) -> tuple[str, str]:
    for sep in (" | ", " – ", " — ", " - "):
        if sep in title:
            head, _, tail = title.rpartition(sep)
            if head and 1 <= len(tail.split()) <= 5:
                return head.strip(), tail.strip()
    return title, ""


def _parse_plain(article: Article, markdown: bool) -> None:
    lines = [ln.strip() for ln in article.text.splitlines()]
    head = [ln for ln in lines if ln][:12]
    if markdown and lines and lines[0] == "---":
        for ln in lines[1:40]:
            if ln == "---":
                break
            key, _, value = ln.partition(":")
            key, value = key.strip().lower(), value.strip().strip("\"'")
            if key == "title":
                article.title = value
            elif key in ("publisher", "source", "site"):
                article.publisher = value
            elif key == "date":
                article.date = parse_date(value) or value
        head = [ln for ln in head if not ln.startswith("---")]
    masthead = ""
    for ln in head:
        m = _DATE_LINE_RE.match(ln)
        if m and not article.date:
            article.date = parse_date(m.group(1))
            continue
        m = _PUBLISHER_LINE_RE.match(ln)
        if m and not article.publisher:
            article.publisher = m.group(1).strip()
            continue
        m = _DATELINE_RE.match(ln)
        if m and not article.date and parse_date(m.group(2)) and _DATE_RE.match(m.group(2).strip()):
            article.date = parse_date(m.group(2))
            article.publisher = article.publisher or m.group(1)
            continue
        if article.title:
            continue
        candidate = ln.lstrip("#").strip() if markdown else ln
        if markdown and ln.startswith("#"):
            article.title = candidate
        elif (
            len(candidate.split()) >= 4
            and not _is_section_label(candidate)
            and len(candidate) <= 200
            and not _is_sentence(candidate)
        ):
            article.title = candidate
        elif not masthead and _is_masthead(candidate) and not _is_section_label(candidate):
            masthead = candidate
    if not article.title:
        article.title = _standalone_heading(lines)
        masthead = "" if masthead == article.title else masthead
    if article.title:
        article.title, site = _split_site_suffix(article.title)
        if site and not article.publisher:
            article.publisher = site
    if masthead and not article.publisher:
        article.publisher = masthead


def _parse_html(article: Article, page: PageText) -> None:
    """Title, publisher and date: trafilatura's metadata first, then the page's own tags."""
    meta, found = page.meta, page.found
    page_title, site = _split_site_suffix(page.title)
    title = re.sub(r"\s+", " ", found.get("title") or meta.get("og:title") or page.h1 or page_title).strip()
    article.title = _split_site_suffix(title)[0]
    article.publisher = (found.get("sitename") or meta.get("og:site_name") or meta.get("publisher") or site).strip()
    article.date = parse_date(found.get("date", ""))
    for key in ("article:published_time", "date", "pubdate", "publish-date", "dc.date"):
        if key in meta and not article.date:
            article.date = parse_date(meta[key])
            break


def _is_html(path: Path) -> bool:
    return path.suffix.lower() in (".html", ".htm")


def _is_pdf(path: Path) -> bool:
    return path.suffix.lower() == ".pdf"


@functools.lru_cache(maxsize=64)
def _cached_pdf(path: str, mtime_ns: int, size: int) -> pdf_text.PdfText:
    try:
        return pdf_text.extract(Path(path))
    except pdf_text.PdfError as exc:
        raise OSError(f"{path}: {exc}") from None


def _pdf(path: str | Path) -> pdf_text.PdfText:
    st = Path(path).stat()
    return _cached_pdf(str(path), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=64)
def _cached_text(path: str, mtime_ns: int, size: int) -> str:
    if _is_pdf(Path(path)):
        return _pdf(path).text
    raw = Path(path).read_text(encoding="utf-8")
    return extract(raw).text if _is_html(Path(path)) else raw


def source_text(path: str | Path) -> str:
    """The text that offsets of ``path`` index: the file, for HTML its readable text, for a
    PDF its text layer.

    Raises OSError (or UnicodeDecodeError) when the file cannot be read.
    """
    st = Path(path).stat()
    return _cached_text(str(path), st.st_mtime_ns, st.st_size)


def page_at(path: str | Path, offset: int) -> int | None:
    """The 1-based page of a PDF that holds character ``offset`` of its :func:`source_text`;
    None for other files, or when the file cannot be read."""
    if not _is_pdf(Path(path)):
        return None
    try:
        return _pdf(path).page_at(offset)
    except OSError:
        return None
