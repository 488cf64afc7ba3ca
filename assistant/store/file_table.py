"""What the store holds, file by file, saved beside it at indexing time.

For each indexed file: its chunk ids, its :func:`~assistant.store.build.file_key` (bytes and
chunking rules) and the ``os.stat`` it had when that key was taken. A re-run reads this small
file instead of every chunk's metadata, and does not read a file whose size, modification
time, change time and inode are the ones recorded (as make and rsync decide). A file whose
bytes changed always has a new change time, which no tool can set back.

The table names the store's version (:func:`~assistant.store.chroma.index_version`) and is
used only for that version, never after a killed run: then the chunks' own metadata in
Chroma is read instead, and every file is hashed again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import orjson

from assistant.config import Settings
from assistant.store.bm25_file import beside
from assistant.store.files import write_atomically

FORMAT = "1"
"""Bump with any change to the file's layout."""


@dataclass
class FileRow:
    """One indexed file: its chunk ids, its key, and its stat when the key was taken."""

    ids: set[str]
    key: str = ""
    stat: tuple[int, ...] = ()


def table_path(settings: Settings) -> Path:
    """Where the table of ``settings``' store is saved: beside its lexical index."""
    return beside(settings, "files", ".json")


def stat_of(path: Path) -> tuple[int, ...]:
    """What says a file is untouched: size, modification and change times (ns), inode."""
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def load(settings: Settings, version: str) -> dict[str, FileRow] | None:
    """The saved table if it is of ``version``, else None."""
    try:
        data = orjson.loads(table_path(settings).read_bytes())
        if data.get("format") != FORMAT or data.get("version") != version:
            return None
        return {p: FileRow(set(r[0]), str(r[1]), tuple(r[2])) for p, r in data["files"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None


def save(settings: Settings, version: str, rows: dict[str, FileRow]) -> bool:
    """Write the table of ``version`` atomically; False if the folder cannot be written."""
    files = {p: [sorted(r.ids), r.key, list(r.stat)] for p, r in rows.items()}
    body = orjson.dumps({"format": FORMAT, "version": version, "files": files})
    return write_atomically(table_path(settings), lambda f: f.write(body))
