"""The quote index: who is quoted in the indexed articles, and each of their quotes.

It is built from the articles the store holds (:func:`~assistant.store.chroma.indexed_paths` via the
lexical index's metadata), so re-indexing keeps it in step with the chunks: a removed article's
quotes go with it, a changed article's are found again.  Each article's quotes are kept in
memory per (path, size, mtime), so a server lists people without reading every file again.
Name variants across articles are merged: "Blinken" and "Antony Blinken" are one person;
"Kim Yo Jong" and "Kim Jong Un" are two.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.ingest.attribution import name_parts, same_person
from assistant.ingest.load import LoadError, read_article
from assistant.quotes.extract import Quote, extract_quotes


@dataclass(frozen=True)
class QuoteRecord:
    """One quote and where it is: ``source_text(path)[start:end] == text``."""

    speaker: str
    text: str
    start: int
    end: int
    kind: str
    path: str
    title: str = ""
    date: str = ""
    publisher: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Person:
    """A speaker under their fullest name, the other forms it takes, and their quotes."""

    name: str
    variants: list[str] = field(default_factory=list)
    quotes: list[QuoteRecord] = field(default_factory=list)

    @property
    def articles(self) -> int:
        return len({q.path for q in self.quotes})

    def summary(self) -> dict[str, Any]:
        return {"name": self.name, "variants": self.variants, "quotes": len(self.quotes), "articles": self.articles}

    def to_json(self) -> dict[str, Any]:
        return self.summary() | {"quotes": [q.to_json() for q in self.quotes]}


MAX_BYTES = 5 * 1024 * 1024
"""The default largest article file (``ASSISTANT_MAX_FILE_MB``); callers pass the setting."""


@functools.lru_cache(maxsize=4096)
def _article_quotes(path: str, size: int, mtime_ns: int, max_bytes: int) -> tuple[tuple[Quote, ...], str, str, str]:
    """An article's quotes and its title, date and publisher (cached per file version)."""
    article = read_article(Path(path), max_bytes)
    quotes = tuple(extract_quotes(article.text, article.regions))
    return quotes, article.title, article.date, article.publisher


def article_quotes(path: str, max_bytes: int = MAX_BYTES) -> list[QuoteRecord]:
    """The quotes of one article file; ``[]`` when it is gone or no longer usable (the next
    ``assistant index`` removes it) — any other error is raised."""
    try:
        st = os.stat(path)
        quotes, title, date, publisher = _article_quotes(path, st.st_size, st.st_mtime_ns, max_bytes)
    except (OSError, LoadError):
        return []
    return [QuoteRecord(q.speaker, q.text, q.start, q.end, q.kind, path, title, date, publisher) for q in quotes]


def group(records: Iterable[QuoteRecord]) -> list[Person]:
    """Quotes grouped by person, variants merged; most quoted first.

    Names of two or more parts merge when one's parts all occur in the other's ("Lloyd
    Austin" ~ "Defense Secretary Lloyd Austin").  A one-word name joins the one longer name
    it fits, and stays apart when it fits none or several ("Kim" alone is nobody in particular).
    """
    records = list(records)
    names = sorted({r.speaker for r in records}, key=lambda n: (-len(name_parts(n)), -len(n), n))
    canon: dict[str, str] = {}
    heads: list[str] = []
    by_part: dict[str, set[int]] = {}  # a name part -> the heads (by position) that have it
    for n in names:
        # Every head so far has at least as many parts as n, so same_person(head, n) is "n's parts
        # are all the head's": the heads that have every one of n's parts, found by part.
        parts = name_parts(n)
        found = [by_part.get(p, set()) for p in parts]
        match = sorted(set.intersection(*found)) if found and all(found) else []
        if len(parts) == 1 and len(match) != 1:
            match = []
        if match:
            canon[n] = heads[match[0]]
        else:
            for p in parts:
                by_part.setdefault(p, set()).add(len(heads))
            heads.append(n)
            canon[n] = n
    people: dict[str, Person] = {h: Person(h) for h in heads}
    for r in sorted(records, key=lambda r: (r.date or "9999", r.path, r.start)):
        p = people[canon[r.speaker]]
        p.quotes.append(r)
        if r.speaker != p.name and r.speaker not in p.variants:
            p.variants.append(r.speaker)
    return sorted(people.values(), key=lambda p: (-len(p.quotes), p.name.lower()))


def find(people: list[Person], query: str) -> Person | None:
    """The person ``query`` names: an exact name or variant first, else the one it fits."""
    q = query.strip().lower()
    for p in people:
        if q == p.name.lower() or q in (v.lower() for v in p.variants):
            return p
    fits = [p for p in people if same_person(query, p.name)]
    return fits[0] if len(fits) == 1 else None


def quotes_of(name: str, paths: Iterable[str], limit: int = 10, max_bytes: int = MAX_BYTES) -> list[QuoteRecord]:
    """The quotes of the person ``name`` names, in the given article files (oldest first)."""
    records = [
        r for path in dict.fromkeys(paths) for r in article_quotes(path, max_bytes) if same_person(name, r.speaker)
    ]
    return sorted(records, key=lambda r: (r.date or "9999", r.path, r.start))[:limit]


def indexed_people(paths: Iterable[str], max_bytes: int = MAX_BYTES) -> list[Person]:
    """Everyone quoted in the given article files."""
    return group(r for path in dict.fromkeys(paths) for r in article_quotes(path, max_bytes))
