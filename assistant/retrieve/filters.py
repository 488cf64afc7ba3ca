"""What a question may be answered from: a date range and sources (publishers or folders).

A :class:`Filters` is applied inside the store and the lexical index (:class:`~assistant.retrieve.
retriever.Retriever`), before anything is ranked, so a filtered question never sees a passage
outside it. Dates are the articles' own (:func:`assistant.ingest.load.parse_date`); an article
without one is *undated* and is left out whenever a date bound is set, since nothing says it
falls inside the range.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import UserError

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BOUND = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")
UNDATED = "undated"
"""How an article without a date is labelled wherever dates are shown."""


def _bound(flag: str, value: str | None) -> str:
    value = (value or "").strip()
    if value and not _BOUND.match(value):
        raise UserError(f"{flag} must be a date such as 2022-06-07, 2022-06 or 2022, not {value!r}")
    return value


@dataclass(frozen=True)
class Filters:
    """A date range (inclusive ISO prefixes: ``2022`` is the whole year) and sources.

    A source is a publisher's name (any case) or a file or folder; an article matches when
    it matches any one of them.
    """

    since: str = ""
    until: str = ""
    sources: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        since: str | None = None,
        until: str | None = None,
        sources: Iterable[str] | None = None,
        names: tuple[str, str] = ("--since", "--until"),
    ) -> Filters:
        """Checked filters from flags, JSON or the page; a bad value is a one-line :class:`UserError`
        naming the field as ``names`` does."""
        if sources is not None and (isinstance(sources, str) or not all(isinstance(s, str) for s in sources)):
            raise UserError("source must be a list of publisher names or folders")
        out = cls(
            since=_bound(names[0], since),
            until=_bound(names[1], until),
            sources=tuple(s.strip() for s in sources or () if s.strip()),
        )
        if out.since and out.until and out.since[: len(out.until)] > out.until:
            raise UserError(f"{names[0]} {out.since} is after {names[1]} {out.until}")
        return out

    def __bool__(self) -> bool:
        return bool(self.since or self.until or self.sources)

    def dated(self, date: str) -> bool:
        """Whether an article of this date (ISO, or anything else for undated) is inside the range."""
        if not (self.since or self.until):
            return True
        if not _DAY.match(date or ""):
            return False
        return (not self.since or date[: len(self.since)] >= self.since) and (
            not self.until or date[: len(self.until)] <= self.until
        )

    def sourced(self, source: str, publisher: str) -> bool:
        """Whether an article (its absolute path, its publisher) is one of the sources."""
        if not self.sources:
            return True
        return any(_publisher(s, publisher) or _under(s, source) for s in self.sources)

    def matches(self, meta: dict[str, Any]) -> bool:
        """Whether a chunk's metadata (``source``, ``publisher``, ``date``) passes every filter."""
        return self.dated(str(meta.get("date", ""))) and self.sourced(
            str(meta.get("source", "")), str(meta.get("publisher", ""))
        )

    def describe(self) -> str:
        """The filters in words, for messages: "since 2022-01, until 2022-06, source Reuters"."""
        parts = [f"since {self.since}"] if self.since else []
        parts += [f"until {self.until}"] if self.until else []
        parts += [f"source {' or '.join(self.sources)}"] if self.sources else []
        return ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        """The request shape of the API: ``{"since", "until", "source"}``, set ones only."""
        out: dict[str, Any] = {k: v for k, v in (("since", self.since), ("until", self.until)) if v}
        return out | ({"source": list(self.sources)} if self.sources else {})


def _publisher(wanted: str, publisher: str) -> bool:
    return bool(publisher) and wanted.casefold() == publisher.strip().casefold()


def _under(wanted: str, source: str) -> bool:
    """Whether the file ``source`` is ``wanted`` or inside the folder ``wanted``."""
    root = str(Path(wanted).expanduser().resolve())
    return source == root or source.startswith(root.rstrip(os.sep) + os.sep)


def nothing_matches(filters: Filters, publishers: Sequence[str]) -> UserError:
    """The error for filters that leave no indexed article, naming what is there to choose from."""
    known = sorted({p for p in publishers if p})
    hint = f"; publishers here: {', '.join(known[:8])}{' …' if len(known) > 8 else ''}" if known else ""
    return UserError(f"no indexed article matches the filter ({filters.describe()}){hint}")
