"""Stage 3: keep the Chroma store in step with a set of article files.

Chunk IDs derive from source and content, so the index is idempotent:
unchanged files cost nothing, a changed file's new chunks are added before its
stale ones are deleted, and a removed file's chunks go away.  Writes happen in
small batches; a run killed at any point leaves a store that the next run
completes, never one with duplicates.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from assistant.config import Settings
from assistant.ingest.chunk import CHUNK_RULES_VERSION, Chunk, chunk_article, embedding_text
from assistant.ingest.load import Article, LoadError, iter_files, read_article
from assistant.store import file_table, quote_file
from assistant.store.bm25_file import from_collection, load, save, save_change, saved_version, updated
from assistant.store.chroma import (
    bump_version,
    get_all,
    index_version,
    is_writing,
    open_collection,
    version_count,
    writer_lock,
)
from assistant.store.embed import chunk_embedder, ensure_onnx
from assistant.store.file_table import FileRow


@dataclass
class IndexReport:
    """What one indexing run did."""

    files_indexed: int = 0
    files_unchanged: int = 0
    chunks_added: int = 0
    chunks_removed: int = 0
    total_chunks: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    """Where the time went: ``read`` (reading and chunking), ``embed`` (embedding and the store's
    writes), ``store`` (deletes and the lexical index)."""

    def summary(self) -> str:
        took = ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items())
        return (
            f"{self.files_indexed} file(s) indexed, {self.files_unchanged} unchanged, "
            f"{len(self.skipped)} skipped; {self.chunks_added} chunk(s) added, "
            f"{self.chunks_removed} removed; {self.total_chunks} chunk(s) in the index"
        ) + (f" ({took})" if took else "")


def file_key(path: Path, chunk_chars: int, digest: str = "") -> str:
    """What decides whether a file must be read and chunked again: its bytes (``digest``, the
    one taken before, when the file is untouched since) and the chunking rules. A re-run
    compares it with the stored one instead of parsing every file."""
    digest = digest or hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return f"{digest}/{CHUNK_RULES_VERSION}/{chunk_chars}"


def chunk_metadata(article: Article, chunk: Chunk, file_sha: str, key: str = "") -> dict[str, Any]:
    """Metadata stored beside each chunk in Chroma."""
    return {
        "file_key": key,
        "source": article.source,
        "path": str(article.path),
        "title": article.title,
        "publisher": article.publisher,
        "date": article.date,
        "start": chunk.start,
        "end": chunk.end,
        "ordinal": chunk.ordinal,
        "speakers": "; ".join(chunk.speakers),
        "quote_of": chunk.continues_quote_of,
        "file_sha": file_sha,
    }


class Pending(NamedTuple):
    """A chunk to write: its id, text and metadata, and the text its embedding is made of."""

    id: str
    text: str
    meta: dict[str, Any]
    embed_text: str


@dataclass
class Plan:
    """What a run writes: new chunks, and the ids of chunks to delete."""

    pending: list[Pending] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    quotes: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> its quote_file entry
    gone: set[str] = field(default_factory=set)  # paths whose chunks all leave the store
    files: dict[str, FileRow] = field(default_factory=dict)  # what the store holds after the run


def _save_lexical(settings: Settings, collection: Any, version: str, before: str, plan: Plan) -> None:
    """Bring the saved lexical index to the store's new ``version``: as a delta when the saved
    one is of ``before`` (the version this run started from) and the change is small, else by
    updating the saved index (tokenizing only the added chunks), else from every chunk."""
    if saved_version(settings) == version:
        return
    added = [(a.id, a.text, a.meta) for a in plan.pending]
    if before and save_change(settings, before, version, set(plan.stale), added):
        return
    old = load(settings, before) if before else None
    lex = updated(old, set(plan.stale), added) if old is not None else None
    if lex is None or len(lex.ids) != version_count(version):
        lex = from_collection(collection)
    save(settings, version, lex)


def _save_tables(settings: Settings, collection: Any, version: str, plan: Plan) -> None:
    """Save the file table and bring the quote index to the store's ``version``: this run's
    articles' quotes, the saved ones of the others (:mod:`assistant.store.quote_file`)."""
    complete = sum(len(r.ids) for r in plan.files.values()) == version_count(version)
    if complete:
        file_table.save(settings, version, plan.files)
    saved, old = quote_file.load(settings)
    if saved == version:
        return
    if complete:
        paths = list(plan.files)
    else:
        paths = [str(m["path"]) for m in get_all(collection, ["metadatas"])["metadatas"] if m.get("path")]
    quote_file.update(settings, version, paths, plan.quotes, plan.gone, old)


def _embed_and_write(collection: Any, pending: list[Pending], settings: Settings, files: int = 0) -> None:
    """Embed ``pending`` and write it to Chroma in groups.

    Settings.index_batch chunks per group, each one Chroma write, so a killed run loses at
    most one group (the next run writes it). SentenceTransformer sorts each call's texts by
    length and pads each batch of 64 to its longest; sorting all pending texts by length
    first makes the groups' batches the same as one call over everything would make.
    Writing in a second thread while the next group is embedded measured no faster on
    2 cores (bench/bench_throughput.py, docs/benchmarks.md).
    """
    embedder = chunk_embedder(settings)
    bar = _progress(len(pending), settings.quiet, files)
    step = settings.index_batch
    pending = sorted(pending, key=lambda p: len(p.embed_text))
    for i in range(0, len(pending), step):
        batch = pending[i : i + step]
        collection.upsert(
            ids=[b.id for b in batch],
            documents=[b.text for b in batch],
            metadatas=[b.meta for b in batch],
            embeddings=embedder.encode([b.embed_text for b in batch]),
        )
        bar.update(len(batch))
    bar.close()


def _progress(total: int, quiet: bool, files: int) -> Any:
    from tqdm import tqdm

    desc = f"Embedding {files} article(s)"
    return tqdm(total=total, unit=" chunk", desc=desc, disable=quiet or not sys.stderr.isatty())


def _reading(files: Iterable[tuple[Path, str | None]], quiet: bool) -> Iterable[tuple[Path, str | None]]:
    """``files``, with a progress bar of the files read (on a terminal)."""
    from tqdm import tqdm

    return tqdm(files, unit=" file", desc="Reading", disable=quiet or not sys.stderr.isatty(), leave=False)


@dataclass
class Known:
    """What the store holds when a run starts: its version ("" after a killed run, whose
    files may be only partly written) and each path's :class:`FileRow` (ids; key and stat
    unless after a killed run)."""

    version: str = ""
    files: dict[str, FileRow] = field(default_factory=dict)


def _known(settings: Settings, collection: Any) -> Known:
    """What the store holds: from the saved file table when it is of the store's version,
    else from every chunk's metadata in Chroma."""
    if not is_writing(collection):
        version = index_version(collection)
        table = file_table.load(settings, version)
        if table is not None:
            return Known(version, table)
    else:
        version = ""
    known = Known(version)
    got = get_all(collection, ["metadatas"])
    for cid, meta in zip(got["ids"], got["metadatas"]):
        row = known.files.setdefault(str(meta.get("path", "")), FileRow(set()))
        row.ids.add(cid)
        if version and meta.get("file_key"):
            row.key = str(meta["file_key"])
    return known


def _unchanged(path: Path, settings: Settings, known: Known) -> tuple[bool, FileRow]:
    """Whether ``path`` (resolved) is indexed as it is now (same bytes, same chunking), and its
    row as it is now (ids as indexed). An untouched file (same stat) is not read again."""
    row = known.files.get(str(path))
    try:
        stat = file_table.stat_of(path)
        digest = row.key.split("/", 1)[0] if row and row.key and row.stat == stat else ""
        key = file_key(path, settings.chunk_chars, digest)
    except OSError:
        return False, FileRow(set())  # reading it again says why
    return row is not None and row.key == key, FileRow(row.ids if row else set(), key, stat)


def _plan(paths: Iterable[Path], settings: Settings, known: Known, report: IndexReport, say: Callable) -> Plan:
    """Chunk every usable file that changed; what is new is pending, what is gone or replaced is stale."""
    plan = Plan()
    held = known.files  # what is left of it is what this run did not see
    for path, problem in _reading(iter_files(paths), settings.quiet):
        resolved = str(path)  # iter_files resolves
        if problem is None:
            same, row = _unchanged(path, settings, known)
            if same:
                plan.files[resolved] = row
                held.pop(resolved)
                report.files_unchanged += 1
                continue
            try:
                article = read_article(path, settings.max_file_bytes)
            except LoadError as exc:
                problem = str(exc)
        if problem is not None:
            # A file that was indexed and is now unusable (emptied, too large, not UTF-8)
            # must not stay searchable: its old chunks go, and the report says so.
            gone = held.pop(resolved, FileRow(set())).ids
            plan.stale.extend(gone)
            plan.gone.add(resolved)
            report.skipped.append((str(path), problem))
            say(f"skipped {path}: {problem}" + (f"; its {len(gone)} old chunk(s) removed" if gone else ""))
            continue
        file_sha = hashlib.sha256(article.text.encode()).hexdigest()[:16]
        chunks = chunk_article(article, settings.chunk_chars)
        new_ids = {c.chunk_id for c in chunks}
        old_ids = held.pop(str(article.path), FileRow(set())).ids
        plan.files[str(article.path)] = FileRow(new_ids, row.key, row.stat)
        if new_ids == old_ids:
            report.files_unchanged += 1
            continue
        report.files_indexed += 1
        plan.quotes[str(article.path)] = quote_file.entry(article)
        for c in chunks:
            if c.chunk_id not in old_ids:
                text = embedding_text(article.title, c.text, c.continues_quote_of)
                plan.pending.append(Pending(c.chunk_id, c.text, chunk_metadata(article, c, file_sha, row.key), text))
        plan.stale.extend(old_ids - new_ids)
    # Files indexed before and not seen now: kept if they still exist, else their chunks go.
    for old_path, old_row in held.items():
        if Path(old_path).exists():
            plan.files[old_path] = old_row
        else:
            plan.stale.extend(old_row.ids)
            plan.gone.add(old_path)
    return plan


def build_index(
    paths: Iterable[Path],
    settings: Settings,
    say: Callable[[str], None] = print,
) -> IndexReport:
    """Index ``paths`` (files or folders) into the store named by ``settings``."""
    report = IndexReport()
    with writer_lock(settings, say=say):
        collection = open_collection(settings, create=True)
        clock = time.perf_counter()
        known = _known(settings, collection)
        plan = _plan(paths, settings, known, report, say)
        report.seconds["read"] = time.perf_counter() - clock
        if plan.pending or plan.stale:
            bump_version(collection, writing=True)  # a run killed from here on leaves it marked
        if plan.pending:
            clock = time.perf_counter()
            _embed_and_write(collection, plan.pending, settings, report.files_indexed)
            if settings.embed_backend != "torch":
                # A no-op once the export exists; else torch was just loaded for the chunks, so it is cheap.
                ensure_onnx(settings.cache_dir, say=say)
            report.seconds["embed"] = time.perf_counter() - clock
        clock = time.perf_counter()
        for i in range(0, len(plan.stale), 500):
            collection.delete(ids=plan.stale[i : i + 500])
        report.chunks_added = len(plan.pending)
        report.chunks_removed = len(plan.stale)
        if plan.pending or plan.stale or is_writing(collection):  # is_writing: a killed run's store, now repaired
            bump_version(collection)
        version = index_version(collection)  # asks Chroma for the count once; the rest reads it from here
        _save_lexical(settings, collection, version, known.version, plan)
        _save_tables(settings, collection, version, plan)
        report.total_chunks = version_count(version)
        report.seconds["store"] = time.perf_counter() - clock
    return report
