"""The saved file table: read back only for its own version, never from a damaged file."""

from __future__ import annotations

import os
import time

from assistant.config import Settings
from assistant.store import file_table
from assistant.store.file_table import FileRow


def test_a_table_is_read_back_for_its_version_only_and_never_when_damaged(tmp_path):
    s = Settings.from_env().with_(index_dir=tmp_path, quiet=True)
    rows = {"/a.txt": FileRow({"x", "y"}, "k1/11/420", (1, 2, 3, 4)), "/b.txt": FileRow({"z"})}
    assert file_table.save(s, "v1:3", rows)
    assert file_table.load(s, "v1:3") == rows
    assert file_table.load(s, "v2:3") is None  # another version of the store
    file_table.table_path(s).write_bytes(b'{"format": "1", "version": "v1:3", "files": {"/a.txt": 7}}')
    assert file_table.load(s, "v1:3") is None
    file_table.table_path(s).write_bytes(b"\x00not json")
    assert file_table.load(s, "v1:3") is None


def test_a_write_changes_the_stat_even_when_the_times_are_set_back(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("one")
    before = file_table.stat_of(f)
    st = os.stat(f)
    time.sleep(0.05)  # past the file system's clock tick
    f.write_text("two")  # same size
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # as a tool restoring the modification time would
    after = file_table.stat_of(f)
    assert after[:2] == before[:2]  # size and modification time alike...
    assert after[2] != before[2] and after != before  # ...the change time is not
