"""BM25 kept as flat arrays: saved, loaded and updated, it scores as one built from scratch."""

from __future__ import annotations

import numpy as np

from assistant.store.bm25 import BM25

TEXTS = [
    "The ministers met in Geneva on Monday to discuss the treaty.",
    "Talks on the treaty resumed after a five-year pause.",
    "The central bank raised rates by half a point.",
    "Müller said the bank would act again if inflation stayed high.",
    "Rain is expected across the north on Tuesday.",
    "The treaty's critics said the talks had gone nowhere.",
]
QUERIES = ["treaty talks", "bank rates inflation", "Muller", "Geneva Monday", "weather", "nothing-matches-this"]


def _same_scores(a: BM25, b: BM25) -> bool:
    return all(np.allclose(a.scores(q), b.scores(q), atol=1e-5) for q in QUERIES)


def test_an_index_loaded_from_its_arrays_scores_the_same():
    bm25 = BM25(TEXTS)
    assert _same_scores(BM25.from_arrays(**bm25.arrays()), bm25)
    assert bm25.scores("treaty")[0] > 0  # the check compares real scores, not zeros


def test_an_updated_index_scores_like_one_built_from_scratch():
    keep = np.array([True, False, True, True, False, True])
    added = ["A new treaty was signed in Geneva.", "Rates fell in the north."]
    got = BM25(TEXTS).updated(keep, added)
    expected = BM25([t for t, k in zip(TEXTS, keep) if k] + added)
    assert got.n == expected.n == 6
    assert _same_scores(got, expected)
    # Terms only the dropped documents held are gone, as in a fresh build.
    assert got.document_frequency("rain") == expected.document_frequency("rain") == 0
    assert got.document_frequency("treaty") == expected.document_frequency("treaty") == 3
    # Positive control: the old index does differ from the updated one.
    assert not _same_scores(BM25(TEXTS), got)


def test_an_empty_index_can_grow():
    grown = BM25([]).updated(np.zeros(0, dtype=bool), TEXTS[:2])
    assert _same_scores(grown, BM25(TEXTS[:2]))


def test_updates_in_a_row_score_like_one_build_whatever_is_kept_and_added():
    """Random drops and additions, applied one after another (as saved deltas are): every
    posting still lands in its term's run, so scores match a fresh build."""
    rng = np.random.default_rng(3)
    words = " ".join(TEXTS + QUERIES).split()
    docs = list(TEXTS)
    got = BM25(docs)
    for _ in range(8):
        keep = rng.random(len(docs)) > 0.3
        added = [" ".join(rng.choice(words, size=int(rng.integers(3, 12)))) for _ in range(int(rng.integers(0, 4)))]
        got = got.updated(keep, added)
        docs = [d for d, k in zip(docs, keep) if k] + added
        expected = BM25(docs)
        assert got.n == expected.n and _same_scores(got, expected)
        for q in QUERIES:
            assert got.document_frequency(q.split()[0].lower()) == expected.document_frequency(q.split()[0].lower())
