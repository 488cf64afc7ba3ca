"""Chunk IDs and the BM25 file carry explicit rule versions instead of hashes of source files.

The golden file holds a digest of every chunk (and every chunk's tokens) of a fixture folder,
with the versions they were made under.  When the chunks change while ``CHUNK_RULES_VERSION``
does not, the test fails: an index built before the change would keep stale chunks.  After a
deliberate change, bump the version and rewrite the file::

    PYTHONPATH=. .venv/bin/python tests/unit/ingest/test_golden.py --update
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from tests.helpers import ROOT

GOLDEN = ROOT / "tests" / "data" / "golden" / "chunks.json"
FIXTURE = [ROOT / "seeds", ROOT / "tests" / "data" / "conflicts", ROOT / "tests" / "data" / "unicode",
           ROOT / "tests" / "data" / "html"]  # fmt: skip


def fingerprints(folders: list[Path] = FIXTURE, chunker=None) -> dict[str, str]:
    """Digests of the fixture's chunks (text, offsets, speakers) and of their BM25 tokens."""
    from assistant.ingest.chunk import chunk_article, embedding_text
    from assistant.ingest.load import iter_files, read_article
    from assistant.store.bm25 import tokenize

    chunker = chunker or chunk_article
    chunks, tokens = hashlib.sha256(), hashlib.sha256()
    for path, problem in iter_files(folders):
        if problem:
            continue
        article = read_article(path)
        for c in chunker(article):
            fields = [path.name, c.start, c.end, c.text, c.ordinal, c.speakers, c.continues_quote_of]
            chunks.update(json.dumps(fields, ensure_ascii=False).encode())
            tokens.update(" ".join(tokenize(embedding_text(article.title, c.text))).encode() + b"\n")
    return {"chunks": chunks.hexdigest(), "tokens": tokens.hexdigest()}


def current() -> dict[str, str]:
    from assistant.ingest.chunk import CHUNK_RULES_VERSION
    from assistant.store.bm25 import TOKENIZER_VERSION

    return {"chunk_rules_version": CHUNK_RULES_VERSION, "tokenizer_version": TOKENIZER_VERSION} | fingerprints()


def test_chunks_change_only_with_their_version():
    golden = json.loads(GOLDEN.read_text())
    now = current()
    if now["chunk_rules_version"] == golden["chunk_rules_version"]:
        assert now["chunks"] == golden["chunks"], "the chunks changed: bump CHUNK_RULES_VERSION, then --update"
    if now["tokenizer_version"] == golden["tokenizer_version"]:
        assert now["tokens"] == golden["tokens"], "the tokens changed: bump TOKENIZER_VERSION, then --update"
    assert now == golden, "a version was bumped: rewrite the golden file with --update"


def test_the_fingerprint_sees_a_changed_chunk():
    """Positive control: one chunk's speakers changed is a different fingerprint."""
    from assistant.ingest.chunk import chunk_article

    def altered(article):
        chunks = chunk_article(article)
        chunks[0].speakers = [*chunks[0].speakers, "Someone Else"]
        return chunks

    assert fingerprints(chunker=altered)["chunks"] != fingerprints()["chunks"]


if __name__ == "__main__":
    if "--update" in sys.argv:
        GOLDEN.write_text(json.dumps(current(), indent=2) + "\n")
    print(json.dumps(current(), indent=2))
