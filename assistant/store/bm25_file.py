"""The lexical index on disk: every chunk's text and metadata, and their BM25 postings.

Reading every chunk back from Chroma and tokenizing it takes about 17 s at 100k chunks,
so the result is saved in one file, tagged with the store's index version
(:func:`assistant.store.chroma.index_version`), and loaded in a fraction of that by the next
process. Where it lives: ``<index dir>/lexical.npz`` beside the embedded store, or
``<cache dir>/lexical/<hash>.npz`` for a Chroma server.

It stays in step with the chunks by the same rules as they do:

- ``assistant index`` marks the store as being written before its first write and gives it
  a new version after its last (:func:`assistant.store.chroma.bump_version`), then updates this
  file, tokenizing only the chunks it added.
- A file whose version is not the store's is never used: the chunks are read from Chroma
  again. A run killed mid-way leaves the store marked as being written, and then nothing is
  saved until the next ``assistant index`` repairs it.
- The file is written to a temporary name and renamed, so a reader sees the old file or the
  new one, never half of one. A file that cannot be read is ignored and replaced.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from assistant.config import Settings
from assistant.ingest.chunk import CHUNK_RULES_VERSION, embedding_text
from assistant.store import bm25 as lexical
from assistant.store.bm25 import BM25
from assistant.store.chroma import get_all, index_version, is_writing, open_collection
from assistant.store.files import write_atomically

_ARRAYS = ("term_ids", "docs", "tfs", "lengths")


FILE_VERSION = "2"
"""The layout of the saved arrays; bump when it changes."""


def _format() -> str:
    """Changes whenever the file layout, the tokenizer or the indexed text does."""
    return f"{FILE_VERSION}-{lexical.TOKENIZER_VERSION}-{CHUNK_RULES_VERSION}"


@dataclass(frozen=True)
class LexicalIndex:
    """Chunk ids, texts and metadata in one order, and the BM25 index over them."""

    ids: list[str]
    docs: list[str]
    metas: list[dict[str, Any]]
    bm25: BM25


def lexical_text(doc: str, meta: dict[str, Any]) -> str:
    """What BM25 indexes for a chunk: the same text as is embedded."""
    return embedding_text(str(meta.get("title", "")), doc, str(meta.get("quote_of", "")))


def build(ids: list[str], docs: list[str], metas: list[dict[str, Any]]) -> LexicalIndex:
    """Tokenize every chunk."""
    return LexicalIndex(ids, docs, metas, BM25([lexical_text(d, m) for d, m in zip(docs, metas)]))


def from_collection(collection: Any) -> LexicalIndex:
    """Read every chunk from Chroma and tokenize it."""
    data = get_all(collection, ["documents", "metadatas"])
    return build(data["ids"], data["documents"], data["metadatas"])


def updated(old: LexicalIndex, removed: set[str], added: Sequence[tuple[str, str, dict[str, Any]]]) -> LexicalIndex:
    """``old`` without the ``removed`` ids, plus ``added`` (id, text, metadata); a re-added id
    replaces its old row. Only the added chunks are tokenized."""
    drop = removed | {cid for cid, _, _ in added}
    keep = np.fromiter((cid not in drop for cid in old.ids), dtype=bool, count=len(old.ids))
    rows = np.flatnonzero(keep)
    return LexicalIndex(
        ids=[old.ids[i] for i in rows] + [a[0] for a in added],
        docs=[old.docs[i] for i in rows] + [a[1] for a in added],
        metas=[old.metas[i] for i in rows] + [a[2] for a in added],
        bm25=old.bm25.updated(keep, [lexical_text(d, m) for _, d, m in added]),
    )


def path_for(settings: Settings) -> Path:
    """Where the lexical index of ``settings``' store is saved."""
    if settings.chroma_url:
        key = hashlib.sha256(f"{settings.chroma_url}\n{settings.collection}".encode()).hexdigest()[:16]
        return settings.cache_dir / "lexical" / f"{key}.npz"
    return settings.index_dir / (
        "lexical.npz" if settings.collection == "articles" else f"lexical-{settings.collection}.npz"
    )


def _header(data: Any) -> dict[str, Any]:
    return json.loads(bytes(data["header"]).decode())


def saved_version(settings: Settings) -> str:
    """The index version the saved file holds ("" if none or unreadable); reads only its header."""
    try:
        with np.load(path_for(settings), allow_pickle=False) as data:
            header = _header(data)
    except Exception:
        return ""
    return str(header.get("version", "")) if header.get("format") == _format() else ""


def load(settings: Settings, version: str) -> LexicalIndex | None:
    """The saved lexical index if it is of ``version``, else None."""
    try:
        with np.load(path_for(settings), allow_pickle=False) as data:
            header = _header(data)
            if header.get("format") != _format() or header.get("version") != version:
                return None
            body = orjson.loads(bytes(data["body"]))
            arrays = {k: data[k] for k in _ARRAYS}
    except Exception:  # missing, truncated by a full disk, or from another format
        return None
    bm25 = BM25.from_arrays(terms=body["terms"], k1=body["k1"], b=body["b"], **arrays)
    if not (len(body["ids"]) == len(body["docs"]) == len(body["metas"]) == bm25.n):
        return None
    return LexicalIndex(body["ids"], body["docs"], body["metas"], bm25)


def save(settings: Settings, version: str, lex: LexicalIndex) -> bool:
    """Write ``lex`` as the lexical index of ``version``, atomically; False if the folder
    cannot be written (a read-only index still works, it is only slower to open)."""
    path = path_for(settings)
    a = lex.bm25.arrays()
    header = {"format": _format(), "version": version}
    body = {"ids": lex.ids, "docs": lex.docs, "metas": lex.metas, "terms": a["terms"], "k1": a["k1"], "b": a["b"]}

    def write(f) -> None:  # noqa: ANN001 - a binary file
        np.savez(
            f,
            header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
            body=np.frombuffer(orjson.dumps(body), dtype=np.uint8),  # the same JSON, 5x faster
            **{k: a[k] for k in _ARRAYS},
        )

    return write_atomically(path, write)


def open_lexical(settings: Settings, collection: Any, version: str) -> LexicalIndex:
    """The lexical index of ``collection`` at ``version``: loaded when saved, else built and,
    when no indexing run is under way, saved for the next process."""
    lex = load(settings, version)
    if lex is not None:
        return lex
    lex = from_collection(collection)
    if not is_writing(collection):
        now = open_collection(settings)  # fresh metadata: did an indexing run start meanwhile?
        if not is_writing(now) and index_version(now) == version and len(lex.ids) == now.count():
            save(settings, version, lex)
    return lex
