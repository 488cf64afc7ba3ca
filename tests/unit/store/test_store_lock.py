"""The writer lock serializes indexing runs on one index directory."""

from __future__ import annotations

import pytest
from filelock import FileLock

from assistant.config import Settings
from assistant.errors import UserError
from assistant.store.chroma import writer_lock


def test_a_held_lock_makes_a_second_writer_wait_then_fail_clearly(tmp_path):
    settings = Settings.from_env().with_(index_dir=tmp_path)
    said: list[str] = []
    holder = FileLock(tmp_path / ".write.lock")
    with holder:
        with pytest.raises(UserError, match="still indexing"):
            with writer_lock(settings, wait_seconds=0.3, say=said.append):
                pass
    assert said and "waiting" in said[0]


def test_a_free_lock_is_taken_and_released(tmp_path):
    settings = Settings.from_env().with_(index_dir=tmp_path)
    with writer_lock(settings, wait_seconds=0.3, say=lambda m: None):
        assert FileLock(tmp_path / ".write.lock").is_locked is False  # a new object does not hold it
        with pytest.raises(UserError):
            with writer_lock(settings, wait_seconds=0.2, say=lambda m: None):
                pass
    with writer_lock(settings, wait_seconds=0.2, say=lambda m: None):
        pass  # released: taken again at once
