"""Sources that disagree, with the real embedder and a real store: the test corpus of articles
that disagree on figures, dates and who did what (tests/data/conflicts/), and the seeds' 2+2
meeting ("11 years" in one article, "five years" in another)."""

from __future__ import annotations

import shutil

import pytest

from assistant.answer.conflicts import find_conflicts
from assistant.evaluate.metrics import facts_present, load_dataset
from assistant.ingest.load import source_text
from tests.helpers import DATA as TEST_DATA

DATA = TEST_DATA / "conflicts"
QUESTIONS = load_dataset(DATA / "questions.jsonl")


@pytest.fixture(scope="module")
def conflict_retriever(tmp_path_factory, settings):
    from assistant.retrieve.retriever import Retriever
    from assistant.store.build import build_index

    corpus = tmp_path_factory.mktemp("conflicts")
    for f in DATA.glob("*.md"):
        shutil.copy(f, corpus / f.name)
    s = settings.with_(index_dir=tmp_path_factory.mktemp("conflict-index"), corpus_dir=corpus)
    build_index([corpus], s, say=lambda m: None)
    return Retriever(s)


def _conflicts(retriever, question):
    pool = retriever.search(question, retriever.policy.conflict_pool)
    return find_conflicts(question, pool, retriever.idf, retriever.embedder, retriever.policy)


def test_the_corpus_has_at_least_eight_conflict_questions():
    assert sum(ex.kind == "conflict" for ex in QUESTIONS) >= 8


@pytest.mark.parametrize("ex", [ex for ex in QUESTIONS if ex.kind == "conflict"], ids=lambda ex: ex.id)
def test_every_side_of_a_disagreement_is_found_with_an_exact_span(conflict_retriever, ex):
    conflicts = _conflicts(conflict_retriever, ex.question)
    sides = [s for c in conflicts for s in c.sides]
    for group in ex.facts:
        assert any(facts_present([group], s.value) for s in sides), (group, [s.value for s in sides])
    for s in sides:
        assert source_text(s.path)[s.start : s.end] == s.text


@pytest.mark.parametrize("ex", [ex for ex in QUESTIONS if ex.kind != "conflict"], ids=lambda ex: ex.id)
def test_articles_that_agree_are_no_conflict(conflict_retriever, ex):
    assert _conflicts(conflict_retriever, ex.question) == []


def test_the_2_plus_2_question_finds_both_figures_in_the_seeds(retriever):
    """ "two plus two … five years" must be retrieved for "2+2" (number words index as digits)."""
    conflicts = _conflicts(retriever, "How long had it been since the previous U.S.-South Korea 2+2 meeting?")
    assert sorted(s.value for c in conflicts for s in c.sides) == ["11 years", "five years"]


def test_the_answer_to_the_2_plus_2_question_names_and_cites_both_figures(answerer):
    r = answerer.answer("How long had it been since the previous U.S.-South Korea 2+2 meeting?")
    assert r.status in ("answered", "uncertain")  # shown either way; the confidence says how sure
    assert "The articles disagree" in r.answer and "11 years" in r.answer and "five years" in r.answer
    sides = r.conflicts[0]["sides"]
    cited = {c.marker: c for c in r.citations}
    for side in sides:
        assert f"[{side['marker']}]" in r.answer
        assert side["value"] in cited[side["marker"]].text
        assert source_text(cited[side["marker"]].path)[side["start"] : side["end"]] == side["text"]
