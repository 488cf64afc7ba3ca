"""Filtered retrieval on the real index of the seeds: nothing outside a filter is ever returned.

The seeds hold one dated article (2022-05-19), two with a publisher and two with neither, so
each filter below leaves some articles out; the control without a filter shows they would
otherwise be found.
"""

from __future__ import annotations

import json

import pytest

from assistant.errors import UserError
from assistant.retrieve.filters import Filters
from tests.helpers import cli

QUESTIONS = [
    "What did Shin Kak-soo say about Quad+?",
    "How does China view the alliance between the United States and South Korea?",
    "What did the experts say about NATO and Seoul?",
    "North Korea missile launch",
]


def _filters(corpus_dir) -> list[Filters]:
    one_file = sorted(corpus_dir.iterdir())[1]
    return [
        Filters.of(since="2022"),
        Filters.of(until="2022-05-19", since="2022-05-19"),
        Filters.of(sources=["global times"]),
        Filters.of(sources=[str(one_file)]),
        Filters.of(sources=["The Lafete Magazine", str(one_file)]),
        Filters.of(since="2020", sources=[str(corpus_dir)]),
    ]


def _meta(p) -> dict[str, str]:
    return {"source": p.source, "publisher": p.publisher, "date": p.date}


def test_without_its_filter_each_question_reaches_articles_outside_it(retriever, corpus_dir):
    """The control: unfiltered, the same questions return passages every filter below leaves out."""
    unfiltered = [p for q in QUESTIONS for p in retriever.search(q, 10)]
    for f in _filters(corpus_dir):
        assert any(not f.matches(_meta(p)) for p in unfiltered), f


def test_a_filtered_question_never_returns_a_passage_outside_its_filter(retriever, corpus_dir):
    for f in _filters(corpus_dir):
        for q in QUESTIONS:
            passages = retriever.search(q, 10, f)
            assert passages, (f, q)
            for p in passages:
                assert f.matches(_meta(p)), (f, q, p.source, p.publisher, p.date)


def test_the_store_itself_is_filtered(retriever):
    """Dense hits inside the filter: the store's query had the filter, not a later cut."""
    f = Filters.of(sources=["global times"])
    passages = retriever.search("North Korea missile launch", 10, f)
    assert sum(p.dense > 0 for p in passages) >= 3
    assert {p.publisher for p in passages} == {"Global Times"}


def test_a_filter_that_matches_nothing_is_a_clear_error(retriever):
    with pytest.raises(UserError, match=r"no indexed article matches the filter \(until 1999\)"):
        retriever.search("alliance", 5, Filters.of(until="1999"))


def test_retrieve_cli_filters_and_refuses_a_bad_date(settings):
    env = {"ASSISTANT_INDEX_DIR": str(settings.index_dir)}
    r = cli("retrieve", QUESTIONS[1], "--json", "--k", "8", "--since", "2022-05", "--until", "2022-05", env=env)
    assert r.returncode == 0, r.stderr
    passages = json.loads(r.stdout)["passages"]
    assert passages and {p["date"] for p in passages} == {"2022-05-19"}
    bad = cli("retrieve", QUESTIONS[1], "--since", "May 2022", env=env)
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "assistant: error: --since must be a date such as 2022-06-07, 2022-06 or 2022, not 'May 2022'"
    ]
