"""The quote index, saved beside the store at indexing time, as the lexical index is.

``assistant index`` finds the quotes of each new or changed article while it has the article in
hand, keeps the saved quotes of the unchanged ones, and drops those of articles that left the
store; the file then names the store's version. A server, ``assistant people`` and the People
tab read it instead of re-reading every article (:func:`saved_records`); when it is missing or
of another version, they fall back to reading the articles.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from assistant.config import Settings
from assistant.ingest.load import Article
from assistant.quotes.extract import extract_quotes
from assistant.quotes.people import Person, QuoteRecord, article_quotes, group, indexed_people
from assistant.store.bm25_file import beside
from assistant.store.files import write_atomically

FORMAT = "1"
"""Bump with any change to the file's layout, or to what :func:`entry` records."""


def quotes_path(settings: Settings) -> Path:
    """Where the quote index of ``settings``' store is saved: beside its lexical index."""
    return beside(settings, "quotes", ".json.gz")


def entry(article: Article) -> dict[str, Any]:
    """One article's saved quotes, with the title, date and publisher each quote shows."""
    quotes = [[q.speaker, q.text, q.start, q.end, q.kind] for q in extract_quotes(article.text, article.regions)]
    return {"title": article.title, "date": article.date, "publisher": article.publisher, "quotes": quotes}


def _entry_of_file(path: str, max_bytes: int) -> dict[str, Any]:
    records = article_quotes(path, max_bytes)
    head = records[0] if records else None
    return {
        "title": head.title if head else "",
        "date": head.date if head else "",
        "publisher": head.publisher if head else "",
        "quotes": [[r.speaker, r.text, r.start, r.end, r.kind] for r in records],
    }


def load(settings: Settings) -> tuple[str, dict[str, dict[str, Any]]]:
    """The saved store version and the saved articles (``""``, ``{}`` when none is usable)."""
    try:
        with gzip.open(quotes_path(settings), "rb") as f:
            data = orjson.loads(f.read())
    except (OSError, ValueError, EOFError):
        return "", {}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return "", {}
    return str(data.get("version", "")), dict(data.get("articles") or {})


def update(
    settings: Settings,
    version: str,
    paths: Iterable[str],
    new: dict[str, dict[str, Any]],
    removed: set[str],
    old: dict[str, dict[str, Any]],
) -> bool:
    """Save the quotes of the store's articles ``paths`` at ``version``: ``new`` for the articles
    just (re)indexed, the saved ones (``old``, as :func:`load` gives them) for the rest, and the
    article's file read again for one saved nowhere (an index made before this file existed).
    False if it cannot be written."""
    articles = {}
    for path in dict.fromkeys(paths):
        kept = old.get(path) if path not in removed else None
        articles[path] = new.get(path) or kept or _entry_of_file(path, settings.max_file_bytes)
    return _write(quotes_path(settings), {"format": FORMAT, "version": version, "articles": articles})


def _write(path: Path, data: dict[str, Any]) -> bool:
    def write(raw) -> None:  # noqa: ANN001 - a binary file
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=5, mtime=0) as f:
            f.write(orjson.dumps(data))

    return write_atomically(path, write)


def saved_records(settings: Settings, version: str) -> list[QuoteRecord] | None:
    """Every saved quote when the file is of the store's ``version``, else None."""
    saved, articles = load(settings)
    if saved != version or not version:
        return None
    return list(_records(articles))


def _records(articles: dict[str, dict[str, Any]]) -> Iterator[QuoteRecord]:
    for path, a in articles.items():
        for speaker, text, start, end, kind in a.get("quotes", []):
            yield QuoteRecord(speaker, text, start, end, kind, path, a["title"], a["date"], a["publisher"])


def quoted_people(settings: Settings, version: str, paths: Callable[[], Iterable[str]]) -> list[Person]:
    """Everyone quoted in the store at ``version``, most quoted first: from the saved quote
    index, or (when it is missing or stale) by reading the articles ``paths()`` names."""
    records = saved_records(settings, version)
    if records is None:
        return indexed_people(paths(), settings.max_file_bytes)
    return group(records)
