"""Errors say what went wrong: a damaged store is not "no collection", and an article's
quotes are listed under the configured size limit, with unexpected errors raised."""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.errors import IndexMissingError, UserError


class _Client:
    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def get_collection(self, *args, **kwargs):
        raise self.exc


def test_a_damaged_store_says_what_failed(monkeypatch, tmp_path):
    from assistant.store import chroma

    monkeypatch.setattr(chroma, "_client", lambda s, create: _Client(RuntimeError("database disk image is malformed")))
    with pytest.raises(UserError, match="malformed") as err:
        chroma.open_collection(Settings(index_dir=tmp_path))
    assert not isinstance(err.value, IndexMissingError)


def test_a_missing_collection_is_still_reported_as_missing(monkeypatch, tmp_path):
    from chromadb.errors import NotFoundError

    from assistant.store import chroma

    monkeypatch.setattr(chroma, "_client", lambda s, create: _Client(NotFoundError("Collection [x] does not exist")))
    with pytest.raises(IndexMissingError, match="no collection"):
        chroma.open_collection(Settings(index_dir=tmp_path))


ARTICLE = "Harbour plan\n\n“We will rebuild the harbour before the winter storms arrive,” said Marta Lind.\n"


def test_quotes_are_read_under_the_configured_size_limit(tmp_path):
    from assistant.quotes.people import article_quotes

    path = tmp_path / "harbour.txt"
    path.write_text(ARTICLE + "More text about the harbour.\n" * 40, encoding="utf-8")
    assert [q.speaker for q in article_quotes(str(path), max_bytes=10_000)] == ["Marta Lind"]
    assert article_quotes(str(path), max_bytes=500) == []  # over the limit: not an article any more


def test_an_unexpected_error_while_reading_quotes_is_raised(tmp_path, monkeypatch):
    from assistant.quotes import people

    path = tmp_path / "harbour.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    monkeypatch.setattr(people, "extract_quotes", lambda text, regions: 1 / 0)
    people._article_quotes.cache_clear()
    with pytest.raises(ZeroDivisionError):
        people.article_quotes(str(path))
