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

A small change is not worth rewriting the whole file (88 MB at 130k chunks): a run that adds
or removes at most :data:`DELTA_MAX_CHUNKS` chunks in all since the whole file was written
saves only what changed, in ``lexical-delta.json`` beside it, naming the version of the whole
file it applies to. :func:`load` applies it; a delta of any other base is ignored.
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
DELTA_MAX_CHUNKS = 5000
"""The most chunks added and removed since the whole file was saved that are kept as a delta
(a few MB of JSON, tokenized when loaded) before the whole file is written again."""


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


def _rows_after(
    ids: list[str], docs: list[str], metas: list[dict[str, Any]], removed: set[str], added: Sequence[Sequence[Any]]
) -> tuple[np.ndarray, list[str], list[str], list[dict[str, Any]]]:
    """Which old rows stay (a re-added id replaces its old row), and the ids, texts and
    metadata after ``removed`` leave and ``added`` (id, text, metadata) come."""
    drop = removed | {a[0] for a in added}
    keep = np.fromiter((cid not in drop for cid in ids), dtype=bool, count=len(ids))
    rows = np.flatnonzero(keep)
    return (
        keep,
        [ids[i] for i in rows] + [a[0] for a in added],
        [docs[i] for i in rows] + [a[1] for a in added],
        [metas[i] for i in rows] + [a[2] for a in added],
    )


def updated(old: LexicalIndex, removed: set[str], added: Sequence[tuple[str, str, dict[str, Any]]]) -> LexicalIndex:
    """``old`` without the ``removed`` ids, plus ``added`` (id, text, metadata); a re-added id
    replaces its old row. Only the added chunks are tokenized."""
    keep, ids, docs, metas = _rows_after(old.ids, old.docs, old.metas, removed, added)
    return LexicalIndex(ids, docs, metas, old.bm25.updated(keep, [lexical_text(d, m) for _, d, m in added]))


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


def beside(settings: Settings, kind: str, suffix: str) -> Path:
    """A file the store keeps beside its lexical index: ``<kind><suffix>`` in the index folder
    (``<kind>-<collection><suffix>`` for another collection), or ``<key>-<kind><suffix>`` in the
    cache for a Chroma server, so no two kinds ever share a name."""
    lexical = path_for(settings)
    stem = lexical.stem
    name = kind + stem[len("lexical") :] if stem.startswith("lexical") else f"{stem}-{kind}"
    return lexical.with_name(name + suffix)


def delta_path(settings: Settings) -> Path:
    return beside(settings, "lexical-delta", ".json")


def _base_version(settings: Settings) -> str:
    """The version of the whole saved file ("" if none or unreadable); reads only its header."""
    try:
        with np.load(path_for(settings), allow_pickle=False) as data:
            header = _header(data)
    except Exception:
        return ""
    return str(header.get("version", "")) if header.get("format") == _format() else ""


def _delta(settings: Settings, base: str) -> dict[str, Any] | None:
    """The saved delta when it applies to the whole file of version ``base``."""
    if not base:
        return None
    try:
        delta = orjson.loads(delta_path(settings).read_bytes())
    except (OSError, ValueError):
        return None
    ok = isinstance(delta, dict) and delta.get("format") == _format() and delta.get("base") == base
    return delta if ok else None


def saved_version(settings: Settings) -> str:
    """The index version the saved files hold, the delta included ("" if none)."""
    base = _base_version(settings)
    delta = _delta(settings, base)
    return str(delta["version"]) if delta else base


def load(settings: Settings, version: str) -> LexicalIndex | None:
    """The saved lexical index if it is of ``version`` (the whole file, or it and its delta), else None."""
    try:
        with np.load(path_for(settings), allow_pickle=False) as data:
            header = _header(data)
            if header.get("format") != _format():
                return None
            delta = None if header.get("version") == version else _delta(settings, str(header.get("version")))
            if header.get("version") != version and (delta is None or delta.get("version") != version):
                return None
            body = orjson.loads(bytes(data["body"]))
            arrays = {k: data[k] for k in _ARRAYS}
    except Exception:  # missing, truncated by a full disk, or from another format
        return None
    ids, docs, metas = body["ids"], body["docs"], body["metas"]
    if not (len(ids) == len(docs) == len(metas) == len(arrays["lengths"])):
        return None
    keep, added = None, []
    try:
        if delta is not None:  # applied to the arrays before the index is built, so it is built once
            added = delta["added"]
            keep, ids, docs, metas = _rows_after(ids, docs, metas, set(delta["removed"]), added)
        new_texts = [lexical_text(d, m) for _, d, m in added]
    except (KeyError, TypeError, ValueError, AttributeError):  # a delta of another shape: not used
        return None
    bm25 = BM25.from_arrays(terms=body["terms"], k1=body["k1"], b=body["b"], keep=keep, new_texts=new_texts, **arrays)
    return LexicalIndex(ids, docs, metas, bm25)


def save_change(
    settings: Settings, before: str, version: str, removed: set[str], added: Sequence[tuple[str, str, dict[str, Any]]]
) -> bool:
    """Record one run's change (the saved index was of version ``before``, the store is now of
    ``version``) as the delta over the whole saved file, if the delta stays within
    :data:`DELTA_MAX_CHUNKS`. False when it does not, or the saved files are not of
    ``before``: then the caller saves the whole index."""
    base = _base_version(settings)
    delta = _delta(settings, base)
    if not base or (delta["version"] if delta else base) != before:
        return False
    old_added = [a for a in (delta["added"] if delta else []) if a[0] not in removed]
    new_ids = {a[0] for a in added}
    rows = [a for a in old_added if a[0] not in new_ids] + [list(a) for a in added]
    gone = sorted(set(delta["removed"] if delta else []) | removed)
    if len(rows) + len(gone) > DELTA_MAX_CHUNKS:
        return False
    body = orjson.dumps({"format": _format(), "base": base, "version": version, "removed": gone, "added": rows})
    return write_atomically(delta_path(settings), lambda f: f.write(body))


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

    if not write_atomically(path, write):
        return False
    delta_path(settings).unlink(missing_ok=True)  # its base is gone; it would be ignored anyway
    return True


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
