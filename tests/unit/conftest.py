"""Fixtures of the unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes import ARTICLE


@pytest.fixture()
def article(tmp_path) -> Path:
    """The invented article of :data:`tests.fakes.ARTICLE` as a file."""
    path = tmp_path / "talks.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path
