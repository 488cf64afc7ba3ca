"""The lexical index saved beside a real Chroma store: loaded instead of rebuilt, updated by
indexing, and never used when it is not of the store's version."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings
from assistant.retrieve.retriever import Retriever
from assistant.store import bm25_file as lexical_store
from assistant.store.bm25_file import from_collection, load, path_for, save, saved_version
from assistant.store.build import build_index
from assistant.store.chroma import bump_version, index_version, is_writing, open_collection
from tests.helpers import SEEDS

QUESTION = "What did Shin Kak-soo say about Quad+?"


@pytest.fixture
def small(tmp_path: Path) -> tuple[Settings, Path]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(f, corpus / f.name)
    s = Settings.from_env().with_(index_dir=tmp_path / "index", quiet=True)
    build_index([corpus], s, say=lambda m: None)
    return s, corpus


def _no_reading(monkeypatch) -> None:
    def refuse(collection):
        raise AssertionError("read every chunk from Chroma")

    monkeypatch.setattr(lexical_store, "from_collection", refuse)


def test_indexing_saves_it_and_a_retriever_loads_it_without_reading_the_chunks(small, monkeypatch):
    s, _ = small
    assert saved_version(s) == index_version(open_collection(s))
    reference = Retriever(s).search(QUESTION, 5)
    _no_reading(monkeypatch)
    assert [p.chunk_id for p in Retriever(s).search(QUESTION, 5)] == [p.chunk_id for p in reference]
    # Positive control: without the file, opening a retriever does read every chunk.
    path_for(s).unlink()
    with pytest.raises(AssertionError, match="read every chunk"):
        Retriever(s)


def test_a_changed_file_updates_it_tokenizing_only_the_new_chunks(small, monkeypatch):
    s, corpus = small
    f = sorted(corpus.glob("*.txt"))[0]
    f.write_text(f.read_text(encoding="utf-8") + "\n\nA new closing paragraph about the summit in Lisbon.\n")
    calls = []
    real = lexical_store.lexical_text
    monkeypatch.setattr(lexical_store, "lexical_text", lambda d, m: calls.append(d) or real(d, m))
    report = build_index([corpus], s, say=lambda m: None)
    col = open_collection(s)
    saved = load(s, index_version(col))
    assert saved is not None
    assert report.chunks_added > 0 and len(calls) == report.chunks_added
    fresh = from_collection(col)
    assert sorted(saved.ids) == sorted(fresh.ids)
    order = [saved.ids.index(cid) for cid in fresh.ids]
    for q in ("summit in Lisbon", QUESTION, "alliance"):
        assert np.allclose(saved.bm25.scores(q)[order], fresh.bm25.scores(q), atol=1e-5)
    assert Retriever(s).search("summit in Lisbon", 1)[0].text.endswith("Lisbon.")


def test_a_small_change_is_saved_as_a_delta_and_a_large_one_rewrites_the_file(small, monkeypatch):
    s, corpus = small
    base = path_for(s).stat()
    files = sorted(corpus.glob("*.txt"))
    files[0].write_text(files[0].read_text(encoding="utf-8") + "\n\nA first added paragraph on the Lisbon summit.\n")
    build_index([corpus], s, say=lambda m: None)
    files[1].write_text(files[1].read_text(encoding="utf-8") + "\n\nA second added paragraph on Madrid talks.\n")
    build_index([corpus], s, say=lambda m: None)
    assert path_for(s).stat().st_mtime_ns == base.st_mtime_ns  # the whole file was not written again
    assert lexical_store.delta_path(s).is_file()
    col = open_collection(s)
    version = index_version(col)
    assert saved_version(s) == version
    saved, fresh = load(s, version), from_collection(col)
    assert sorted(saved.ids) == sorted(fresh.ids)
    _no_reading(monkeypatch)
    hits = Retriever(s).search("Madrid talks Lisbon summit", 2)
    assert {p.text.split()[-1] for p in hits} == {"summit.", "talks."}
    # A delta whose base is another file is ignored (the control of the one above).
    delta = lexical_store.delta_path(s).read_bytes()
    lexical_store.delta_path(s).write_bytes(delta.replace(b'"base":"', b'"base":"x'))
    assert load(s, version) is None
    lexical_store.delta_path(s).write_bytes(delta)
    # Past DELTA_MAX_CHUNKS, the whole file is written and the delta removed.
    monkeypatch.undo()  # reading the chunks back is allowed again
    monkeypatch.setattr(lexical_store, "DELTA_MAX_CHUNKS", 0)
    files[0].write_text(files[0].read_text(encoding="utf-8") + "\n\nA third added paragraph on the Oslo meeting.\n")
    build_index([corpus], s, say=lambda m: None)
    assert not lexical_store.delta_path(s).exists() and path_for(s).stat().st_mtime_ns != base.st_mtime_ns
    assert saved_version(s) == index_version(open_collection(s))


def test_a_file_of_another_version_or_a_damaged_one_is_not_used(small):
    s, _ = small
    version = index_version(open_collection(s))
    good = load(s, version)
    fake = lexical_store.build(["fake"], ["Zanzibar marmalade"], [{"title": "", "source": "x", "path": "x"}])
    save(s, "another-version", fake)
    r = Retriever(s)
    assert all("Zanzibar" not in p.text for p in r.search("Zanzibar marmalade", 5))
    assert saved_version(s) == version  # rebuilt and saved again for the store's version
    path_for(s).write_bytes(b"not an npz file")
    assert load(s, version) is None
    assert [p.chunk_id for p in Retriever(s).search(QUESTION, 3)] == [p.chunk_id for p in r.search(QUESTION, 3)]
    assert load(s, version).ids == good.ids


def test_a_store_marked_as_being_written_is_never_saved_until_indexing_repairs_it(small):
    s, corpus = small
    col = open_collection(s)
    bump_version(col, writing=True)  # as a run killed mid-way leaves it
    path_for(s).unlink()
    assert Retriever(s).search(QUESTION, 3)  # still answers, from the chunks themselves
    assert not path_for(s).exists()
    report = build_index([corpus], s, say=lambda m: None)
    assert report.chunks_added == 0
    col = open_collection(s)
    assert not is_writing(col)
    assert saved_version(s) == index_version(col)
