"""Sources that disagree: what a question asks for, the values a sentence states, and the
check over passages (with a bag-of-words embedder standing in for the model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer.compose import report_conflicts
from assistant.answer.conflicts import asked, differ, find_conflicts, values
from assistant.answer.result import Citation
from assistant.evaluate.metrics import sides_cited
from assistant.policy import Policy
from assistant.retrieve.retriever import Passage
from assistant.store.bm25 import tokenize
from tests.fakes import HashEmbedder


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How long had it been since the previous meeting?", "duration"),
        ("For how many years did the strike last?", "duration"),
        ("How many people died in the fire?", "count"),
        ("How much did the city pay for the bridge?", "amount"),
        ("What percentage of voters backed the plan?", "percent"),
        ("When was the company founded?", "date"),
        ("In what year did the ferry enter service?", "date"),
        ("Who negotiated the deal?", "person"),
        ("Whose idea was the plan?", None),
        ("What did the minister say about the budget?", None),
    ],
)
def test_the_question_says_what_kind_of_value_it_asks_for(question, kind):
    got = asked(question)
    assert (got[0] if got else None) == kind


def test_how_many_counts_the_words_after_it():
    assert asked("How many people died when the ferry sank?") == ("count", ("people", "died"))
    assert asked("How many passengers was the ferry carrying?") == ("count", ("passenger",))


def test_values_are_read_in_words_and_digits_alike():
    assert values("duration", (), "the first such contact in five years", "")[0][1] == (5.0, "year")
    assert values("duration", (), "for the first time in 5 years", "")[0][1] == (5.0, "year")
    assert values("count", ("people",), "Seventeen people were killed", "")[0][1] == (17.0, "")
    assert values("amount", (), "for $2.4 billion in cash", "")[0][1] == (2.4, "billion", "$")
    assert values("percent", (), "shares rose 12 percent", "")[0][1] == (12.0, "", "percent")
    assert values("date", (), "announced on March 4, 2024, after talks", "")[0][1] == ("2024", 3, 4)
    assert values("date", (), "was founded in 1987 as a kitchen", "")[0][1] == ("1987", None, None)
    assert values("person", (), "Chief executive Dana Whitfield negotiated the deal.", "Who negotiated?")[0][0] == (
        "Dana Whitfield"
    )


def test_values_differ_only_where_both_say_something():
    assert differ("duration", (11.0, "year"), (5.0, "year"))
    assert not differ("duration", (5.0, "year"), (5.0, "year"))
    assert not differ("date", ("2024", 3, 4), (None, 3, 4))  # a date without its year agrees
    assert differ("date", ("2024", 3, 4), (None, 3, 3))
    assert not differ("person", ("Marcus Lee",), ("Lee",))


def test_number_words_and_plus_match_digits_in_the_lexical_index():
    assert tokenize("a “two plus two” meeting, the first in five years") == [
        "2",
        "plus",
        "2",
        "meeting",
        "first",
        "5",
        "year",
    ]
    assert tokenize("2+2 meeting") == ["2", "plus", "2", "meeting"]
    assert tokenize("twenty-one") == ["21", "20", "1"]
    assert "quad+" in tokenize("Quad+")  # a trailing "+" is still its own term


def _passage(path: Path, title: str, text: str) -> Passage:
    path.write_text(f"{title}\n\n{text}", encoding="utf-8")
    start = len(title) + 2
    return Passage(
        chunk_id=path.stem, source=str(path), title=title, text=text, start=start, end=start + len(text),
        score=1.0, publisher=f"{path.stem} Post", date="2023-09-14", path=str(path),
    )  # fmt: skip


def _idf(term: str) -> float:
    return 1.0


@pytest.fixture
def ferry(tmp_path):
    return [
        _passage(tmp_path / "a.txt", "Ferry Marisol capsizes off the point", "At least 14 people died when the ferry Marisol capsized."),
        _passage(tmp_path / "b.txt", "Ferry Marisol capsizes, toll rises", "Seventeen people died when the ferry Marisol capsized."),
        _passage(tmp_path / "c.txt", "Harvest festival opens with a pantomime", "Some 3,000 people died when the ferry Marisol capsized on stage."),
    ]  # fmt: skip


def test_two_articles_that_give_different_counts_are_a_conflict(ferry):
    conflicts = find_conflicts(
        "How many people died when the Marisol capsized?", ferry[:2], _idf, HashEmbedder(), Policy()
    )
    assert [s.value for c in conflicts for s in c.sides] == ["14 people", "Seventeen people"]
    side = conflicts[0].sides[1]
    assert Path(side.path).read_text(encoding="utf-8")[side.start : side.end] == side.text  # an exact span


def test_articles_that_agree_or_tell_another_story_are_no_conflict(ferry, tmp_path):
    same = _passage(
        tmp_path / "d.txt", "Ferry Marisol capsizes, toll rises", "14 people died when the ferry Marisol capsized."
    )
    assert (
        find_conflicts(
            "How many people died when the Marisol capsized?", [ferry[0], same], _idf, HashEmbedder(), Policy()
        )
        == []
    )
    # the third article holds a count of people, but it reports another story (its title is unlike)
    off = Policy().with_(conflict_same_story=0.5)
    assert (
        find_conflicts(
            "How many people died when the Marisol capsized?", [ferry[0], ferry[2]], _idf, HashEmbedder(), off
        )
        == []
    )
    # positive control: the same pair with the same-story check off is a conflict
    on = Policy().with_(conflict_same_story=-1.0)
    assert find_conflicts(
        "How many people died when the Marisol capsized?", [ferry[0], ferry[2]], _idf, HashEmbedder(), on
    )


def test_a_question_that_asks_for_no_value_is_never_checked(ferry):
    assert find_conflicts("What happened to the Marisol?", ferry, _idf, HashEmbedder(), Policy()) == []


def test_the_answer_names_each_side_and_cites_it(ferry):
    conflicts = find_conflicts(
        "How many people died when the Marisol capsized?", ferry[:2], _idf, HashEmbedder(), Policy()
    )
    citations: list[Citation] = []
    answer, reported = report_conflicts("", citations, conflicts)
    assert (
        answer
        == "The articles disagree: “14 people” (a Post, 2023-09-14) [1]; “Seventeen people” (b Post, 2023-09-14) [2]."
    )
    assert [c.marker for c in citations] == [1, 2]
    assert [s["marker"] for s in reported[0]["sides"]] == [1, 2]
    assert sides_cited([["14"], ["17", "seventeen"]], [c.text for c in citations])
    assert not sides_cited([["14"], ["17", "seventeen"]], [citations[0].text])


def test_an_article_rewritten_after_indexing_is_read_with_its_new_names(tmp_path):
    """A running server re-reads an article's names once its file changes (a re-index)."""
    import os

    from assistant.answer.conflicts import _about

    path = tmp_path / "story.txt"
    path.write_text("Ferry service resumes\n\nThe harbour master spoke on Monday.\n", encoding="utf-8")
    passage = Passage(chunk_id="c", source=str(path), title="Ferry service resumes", text="", start=0, end=0, score=1)
    assert not _about(passage, {"lind"})
    path.write_text("Ferry service resumes\n\nMarta Lind, the harbour master, spoke on Monday.\n", encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # a later write, as a re-index sees it
    assert _about(passage, {"lind"})
