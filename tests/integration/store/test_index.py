"""Indexing against a real Chroma store and the real embedding model."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.store.bm25_file import saved_version
from assistant.store.build import build_index
from assistant.store.chroma import index_version, is_writing, open_collection
from tests.helpers import SEEDS, VENV_BIN, cli


def _fresh(tmp_path: Path, name: str = "index") -> Settings:
    return Settings.from_env().with_(index_dir=tmp_path / name, quiet=True)


# Two of the five seed articles (about a third of their chunks): every check here holds for any
# folder, and embedding fewer chunks keeps the fast test loop fast.
FILES = ["001_5690afa6f36f0277.txt", "003_be35bce159577316.txt"]


def _corpus(tmp_path: Path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    for name in FILES:
        shutil.copy(SEEDS / name, d / name)
    return d


def _state(s: Settings) -> tuple[int, set[str]]:
    col = open_collection(s)
    got = col.get(include=[])
    return len(got["ids"]), set(got["ids"])


def test_stored_offsets_are_exact(settings):
    col = open_collection(settings)
    got = col.get(include=["documents", "metadatas"])
    assert got["ids"]
    texts = {}
    for doc, meta in zip(got["documents"], got["metadatas"]):
        text = texts.setdefault(meta["path"], Path(meta["path"]).read_text(encoding="utf-8"))
        assert text[meta["start"] : meta["end"]] == doc


def test_reindex_is_a_noop_and_changes_are_applied(tmp_path):
    corpus = _corpus(tmp_path)
    s = _fresh(tmp_path)
    first = build_index([corpus], s, say=lambda m: None)
    assert first.files_indexed == len(FILES) and first.chunks_added == first.total_chunks > 20
    count, ids = _state(s)

    again = build_index([corpus], s, say=lambda m: None)
    assert (again.files_indexed, again.chunks_added, again.chunks_removed) == (0, 0, 0)
    assert again.files_unchanged == len(FILES)
    assert _state(s) == (count, ids)

    # A changed file replaces its old chunks.
    target = corpus / "001_5690afa6f36f0277.txt"
    target.write_text(target.read_text(encoding="utf-8") + "\nA brand new closing sentence about Antarctica.\n")
    changed = build_index([corpus], s, say=lambda m: None)
    assert changed.files_indexed == 1 and changed.chunks_added >= 1
    col = open_collection(s)
    docs = col.get(where={"path": str(target.resolve())}, include=["documents"])["documents"]
    assert any("Antarctica" in d for d in docs)
    assert len(docs) == len(set(docs))

    # A removed file's chunks go away.
    target.unlink()
    removed = build_index([corpus], s, say=lambda m: None)
    assert removed.chunks_removed == len(docs)
    assert not col.get(where={"path": str(target.resolve())})["ids"]


def test_a_rerun_reads_no_unchanged_file_again(tmp_path, monkeypatch):
    """Unchanged bytes and chunking: the stored file key says so, and the file is not parsed."""
    import assistant.store.build as build

    corpus = _corpus(tmp_path)
    s = _fresh(tmp_path)
    build_index([corpus], s, say=lambda m: None)
    parsed = []
    real = build.read_article
    monkeypatch.setattr(build, "read_article", lambda path, *a: parsed.append(path.name) or real(path, *a))
    again = build_index([corpus], s, say=lambda m: None)
    assert again.files_unchanged == len(FILES) and parsed == []
    # The controls: a touched file is parsed again, and so is every file when the chunk size changes.
    target = corpus / FILES[0]
    target.write_text(target.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    build_index([corpus], s, say=lambda m: None)
    assert parsed == [FILES[0]]
    parsed.clear()
    bigger = build_index([corpus], s.with_(chunk_chars=s.chunk_chars + 200), say=lambda m: None)
    assert sorted(parsed) == sorted(FILES) and bigger.files_indexed == len(FILES)


def test_a_rerun_hashes_no_untouched_file_and_a_killed_run_hashes_all(tmp_path, monkeypatch):
    """The saved file table: an untouched file (same stat) is not even read; after a killed
    run the table is not trusted and every file is hashed again."""
    import assistant.store.build as build
    from assistant.store import file_table

    corpus = _corpus(tmp_path)
    s = _fresh(tmp_path)
    build_index([corpus], s, say=lambda m: None)
    table = file_table.load(s, index_version(open_collection(s)))
    assert table is not None and sorted(Path(p).name for p in table) == sorted(FILES)
    read = []
    real = build.hashlib.sha256
    monkeypatch.setattr(build.hashlib, "sha256", lambda b=b"": read.append(len(b)) or real(b))
    again = build_index([corpus], s, say=lambda m: None)
    assert again.files_unchanged == len(FILES) and read == []
    # Controls: a touched file (same bytes, new change time) is hashed, not re-chunked...
    os.utime(corpus / FILES[0])
    assert build_index([corpus], s, say=lambda m: None).files_unchanged == len(FILES) and len(read) == 1
    # ...and after a killed run (the store marked as being written) every file is.
    from assistant.store.chroma import bump_version

    read.clear()
    bump_version(open_collection(s), writing=True)
    build_index([corpus], s, say=lambda m: None)
    assert len(read) >= len(FILES)


def test_bad_files_are_skipped_and_the_rest_indexed(tmp_path):
    corpus = _corpus(tmp_path)
    (corpus / "empty.txt").write_text("")
    (corpus / "latin1.txt").write_bytes(b"caf\xe9 " * 20)
    (corpus / "blob.md").write_bytes(b"\x00\x01" * 100)
    messages: list[str] = []
    report = build_index([corpus], _fresh(tmp_path), say=messages.append)
    skipped = {Path(p).name: why for p, why in report.skipped}
    assert set(skipped) == {"empty.txt", "latin1.txt", "blob.md"}
    assert report.files_indexed == len(FILES)
    assert any("latin1.txt" in m and "UTF-8" in m for m in messages)


@pytest.mark.parametrize(
    ("spoil", "why"),
    [
        (lambda f: f.write_text("   \n"), "empty"),
        (lambda f: f.write_bytes(b"caf\xe9 " * 50), "UTF-8"),
        (lambda f: f.write_text("word " * 40_000), "limit"),
    ],
    ids=["emptied", "not-utf8", "too-large"],
)
def test_a_file_that_becomes_unusable_leaves_the_index(tmp_path, spoil, why):
    corpus = _corpus(tmp_path)
    s = _fresh(tmp_path).with_(max_file_bytes=100_000)
    build_index([corpus], s, say=lambda m: None)
    target = corpus / "001_5690afa6f36f0277.txt"
    col = open_collection(s)
    assert col.get(where={"path": str(target.resolve())})["ids"]
    spoil(target)
    messages: list[str] = []
    report = build_index([corpus], s, say=messages.append)
    assert not col.get(where={"path": str(target.resolve())})["ids"]  # no longer searchable
    assert report.chunks_removed > 0 and [Path(p).name for p, _ in report.skipped] == [target.name]
    assert any(target.name in m and why in m and "removed" in m for m in messages), messages


def test_indexing_from_another_directory_changes_nothing(tmp_path, monkeypatch):
    corpus = _corpus(tmp_path)
    s = _fresh(tmp_path)
    monkeypatch.chdir(tmp_path)  # the corpus lies under the working directory…
    first = build_index([Path("corpus")], s, say=lambda m: None)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # …and now it does not
    again = build_index([corpus], s, say=lambda m: None)
    assert (again.files_indexed, again.chunks_added, again.files_unchanged) == (0, 0, len(FILES))
    metas = open_collection(s).get(include=["metadatas"])["metadatas"]
    assert len(metas) == first.total_chunks
    for m in metas:  # every source resolves from here, not only from where it was indexed
        assert Path(m["source"]).is_absolute() and Path(m["source"]).is_file()


def test_cli_reports_bad_file_by_name_and_keeps_the_index(tmp_path):
    corpus = _corpus(tmp_path)
    index_dir = tmp_path / "cli-index"
    assert cli("index", str(corpus), "--index-dir", str(index_dir), "-q").returncode == 0
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    r = cli("index", str(bad), "--index-dir", str(index_dir), "-q")
    assert "bad.txt" in r.stderr
    assert r.returncode == 0
    count, _ = _state(_fresh(tmp_path, "cli-index"))
    assert count > 20  # nothing already indexed was lost


def _written(index_dir: Path) -> int:
    """Chunks the store has accepted so far (Chroma's write log), read without opening a client."""
    import sqlite3

    db = index_dir / "chroma.sqlite3"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as con:
            return con.execute("SELECT count(*) FROM embeddings_queue").fetchone()[0]
    except sqlite3.Error:  # tables not created yet
        return 0


def test_killed_index_run_is_completed_by_the_next_run(tmp_path):
    corpus = _corpus(tmp_path)
    reference = _fresh(tmp_path, "reference")
    build_index([corpus], reference, say=lambda m: None)
    expected = _state(reference)
    step = 4  # small write steps, so a run has many and the kill can land between two of them

    rng = random.Random(7)
    for attempt in range(2):
        index_dir = tmp_path / f"killed{attempt}"
        proc = subprocess.Popen(
            [str(VENV_BIN / "assistant"), "index", str(corpus), "--index-dir", str(index_dir), "-q"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "ASSISTANT_INDEX_BATCH": str(step)},
        )
        wanted = step * rng.randint(1, expected[0] // (2 * step))  # kill in the first half of the run
        deadline = time.time() + 300
        while proc.poll() is None and _written(index_dir) < wanted and time.time() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        landed = _written(index_dir)
        # The kill landed mid-run: some chunks were written, far from all of them.
        assert proc.returncode == -signal.SIGKILL and 0 < landed < expected[0], (attempt, landed)
        assert is_writing(open_collection(_fresh(tmp_path, f"killed{attempt}")))  # marked: caches not trusted
        r = cli("index", str(corpus), "--index-dir", str(index_dir), "-q")  # the next run
        assert r.returncode == 0, r.stderr
        repaired = _fresh(tmp_path, f"killed{attempt}")
        assert _state(repaired) == expected, f"attempt {attempt}"
        assert not is_writing(open_collection(repaired))
        assert saved_version(repaired) == index_version(open_collection(repaired))


def _until_locked(index_dir: Path, proc: subprocess.Popen) -> None:
    """Wait until ``proc`` holds the writer lock of ``index_dir``."""
    from filelock import FileLock, Timeout

    lock_path = index_dir / ".write.lock"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if lock_path.exists():
            probe = FileLock(lock_path)
            try:
                probe.acquire(timeout=0)
            except Timeout:
                return
            probe.release()
        time.sleep(0.02)
    pytest.fail("the first writer never took the lock")


def test_concurrent_writers_are_serialized(tmp_path):
    corpus = _corpus(tmp_path)
    index_dir = tmp_path / "shared"
    cmd = [str(VENV_BIN / "assistant"), "index", str(corpus), "--index-dir", str(index_dir)]
    a = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _until_locked(index_dir, a)  # the first writer holds the store's lock before the second starts
    b = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out_a, err_a = a.communicate(timeout=600)
    out_b, err_b = b.communicate(timeout=600)
    assert a.returncode == 0 and b.returncode == 0, err_a + err_b
    count, ids = _state(_fresh(tmp_path, "shared"))
    assert count == len(ids)
    assert f"{len(FILES)} unchanged" in out_a + out_b  # the second run found the first one's work


def test_missing_path_is_reported(tmp_path):
    r = cli("index", str(tmp_path / "nope"), "--index-dir", str(tmp_path / "i"), "-q")
    assert r.returncode == 2
    assert "nope" in r.stderr and "no such file" in r.stderr


@pytest.mark.parametrize("url", ["ftp://x", "not a url"])
def test_bad_chroma_url_is_a_clear_error(tmp_path, url):
    r = cli("retrieve", "hello", "--chroma-url", url)
    assert r.returncode == 2
    assert "chroma-url" in r.stderr and "Traceback" not in r.stderr
