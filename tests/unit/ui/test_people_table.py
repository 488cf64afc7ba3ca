"""The People table and the example questions, over scripted quote records."""

from __future__ import annotations

from assistant.quotes.people import QuoteRecord, group
from assistant.ui.people import example_questions, table_rows


def _people():
    def q(speaker: str, path: str, text: str = "The Harbour Board will meet the Port Union again.") -> QuoteRecord:
        return QuoteRecord(speaker, text, 0, len(text), "direct", path)

    records = [q("Acme Shipping Corp", f"/n/{i}.txt") for i in range(5)]
    records += [q("Ann Vold", "/n/1.txt"), q("Vold", "/n/2.txt"), q("Ann Vold", "/n/3.txt")]
    records += [q("Carl Ostrom", "/n/1.txt"), q("Carl Ostrom", "/n/1.txt"), q("Ostrom", "/n/1.txt")]
    records += [q("Lukman", "/n/4.txt")]
    return group(records)


def test_rows_are_most_quoted_first_with_their_kind_and_a_search_finds_variants():
    rows = table_rows(_people())
    assert rows[0] == ["Acme Shipping Corp", "organisation", 5, 5]
    assert ["Ann Vold", "person", 3, 3] in rows and ["Carl Ostrom", "person", 3, 1] in rows
    assert [r[0] for r in table_rows(_people(), "VOLD")] == ["Ann Vold"]
    assert table_rows(_people(), "nobody") == []


def test_examples_come_from_people_quoted_in_the_most_articles():
    questions = example_questions(_people(), idf=lambda w: 1.0, n=4)
    # Organisations and lone surnames are left out; Ann Vold (3 articles) comes before Carl Ostrom (1).
    assert [q.split(" say about")[0] for q in questions] == ["What did Ann Vold", "What did Carl Ostrom"]
