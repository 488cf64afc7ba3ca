"""The Chroma store: an embedded ``PersistentClient`` in ``index/`` or a Chroma server.

Chroma never embeds anything itself here (``embedding_function=None``), so it
never tries to download its default ONNX model.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from assistant.config import Settings
from assistant.errors import IndexMissingError, UserError

VERSION_KEY = "index_version"
WRITING_KEY = "index_writing"


def _client(settings: Settings, create: bool) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise UserError(f"--chroma-url must look like http://HOST:PORT, got {settings.chroma_url!r}")
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:
            raise UserError(f"cannot reach the Chroma server at {settings.chroma_url}: {exc}") from None
    if not create and not (settings.index_dir / "chroma.sqlite3").exists():
        raise IndexMissingError(f"no index in {settings.index_dir}; build it first with: assistant index [PATH ...]")
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)


def open_collection(settings: Settings, create: bool = False) -> Any:
    """The article collection (cosine space); ``create`` makes it if missing."""
    client = _client(settings, create)
    if create:
        return client.get_or_create_collection(
            settings.collection, metadata={"hnsw:space": "cosine"}, embedding_function=None
        )
    from chromadb.errors import NotFoundError

    try:
        return client.get_collection(settings.collection, embedding_function=None)
    except NotFoundError:
        raise IndexMissingError(
            f"the index has no collection {settings.collection!r}; build it with: assistant index [PATH ...]"
        ) from None
    except Exception as exc:  # a damaged store, a server error: say what it was, not "no collection"
        where = settings.chroma_url or settings.index_dir
        raise UserError(f"cannot open the index at {where}: {type(exc).__name__}: {exc}") from None


def get_all(collection: Any, include: list[str], page: int = 5000) -> dict[str, list[Any]]:
    """Every record of ``collection``, fetched in pages (one large ``get`` overflows SQLite's
    limit on query variables at around 100k chunks)."""
    out: dict[str, list[Any]] = {"ids": [], **{k: [] for k in include}}
    offset = 0
    while True:
        part = collection.get(include=include, limit=page, offset=offset)
        if not part["ids"]:
            return out
        out["ids"] += part["ids"]
        for k in include:
            out[k] += list(part[k])
        offset += len(part["ids"])


def index_version(collection: Any) -> str:
    """A token that changes whenever the indexed chunks change."""
    return str((collection.metadata or {}).get(VERSION_KEY, "")) + f":{collection.count()}"


def version_count(version: str) -> int:
    """The chunk count an :func:`index_version` token was taken at (no call to the store)."""
    return int(version.rsplit(":", 1)[1])


def is_writing(collection: Any) -> bool:
    """True while an indexing run is changing the chunks, or after one was killed mid-way
    (until the next run repairs the store)."""
    return bool((collection.metadata or {}).get(WRITING_KEY, False))


def bump_version(collection: Any, writing: bool = False) -> None:
    """Record that the chunks change (``writing=True``, before the first write) or changed
    (after the last), so caches such as the lexical index are not reused across it."""
    metadata = {k: v for k, v in (collection.metadata or {}).items() if not k.startswith("hnsw:")}
    metadata[VERSION_KEY] = uuid.uuid4().hex
    metadata[WRITING_KEY] = writing
    collection.modify(metadata=metadata)


@contextlib.contextmanager
def writer_lock(settings: Settings, wait_seconds: float = 600.0, say=print) -> Iterator[None]:
    """Serialize writers: embedded Chroma is not safe with two writing processes."""
    if settings.chroma_url:
        yield
        return
    from filelock import FileLock, Timeout

    settings.index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(Path(settings.index_dir) / ".write.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        say(f"another process is indexing into {settings.index_dir}; waiting for it to finish…")
        try:
            lock.acquire(timeout=wait_seconds)
        except Timeout:
            raise UserError(f"another process is still indexing into {settings.index_dir}; try again later") from None
    try:
        yield
    finally:
        lock.release()


def indexed_paths(settings: Settings) -> list[Path]:
    """The article files the index holds chunks of, each once, in a stable order."""
    metas = get_all(open_collection(settings), ["metadatas"])["metadatas"]
    return sorted({Path(str(m["path"])) for m in metas if m.get("path")})
