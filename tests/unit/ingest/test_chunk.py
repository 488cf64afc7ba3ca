from pathlib import Path

from assistant.ingest.chunk import chunk_article, split_sentences
from assistant.ingest.load import read_article
from tests.helpers import ROOT

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def test_every_chunk_of_the_seeds_has_exact_offsets():
    total = 0
    for path in SEEDS:
        article = read_article(path)
        source_text = Path(path).read_text(encoding="utf-8")
        for c in chunk_article(article):
            assert source_text[c.start : c.end] == c.text
            total += 1
    assert total > 50


def test_chunks_are_a_few_sentences_not_blocks():
    sizes = [len(c.text) for p in SEEDS for c in chunk_article(read_article(p))]
    assert sum(sizes) / len(sizes) < 450
    assert max(sizes) < 1000


def test_chunk_ids_are_stable_and_unique():
    article = read_article(SEEDS[2])
    a = [c.chunk_id for c in chunk_article(article)]
    b = [c.chunk_id for c in chunk_article(read_article(SEEDS[2]))]
    assert a == b
    assert len(set(a)) == len(a)


def test_sentence_split_keeps_abbreviations():
    text = "The U.S. President spoke on Nov. 12 in Seoul. Mr. Kim agreed. Then he left!"
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == [
        "The U.S. President spoke on Nov. 12 in Seoul.",
        "Mr. Kim agreed.",
        "Then he left!",
    ]


def test_continued_quote_remembers_its_speaker():
    chunks = [c for p in SEEDS for c in chunk_article(read_article(p))]
    rcep = next(c for c in chunks if "RCEP" in c.text)
    assert "Shin Kak-soo" in rcep.speakers or rcep.continues_quote_of == "Shin Kak-soo"


def test_abbreviations_are_recognised_anywhere_in_a_long_text():
    # The check looks at a window before each period, not at the whole text before it.
    filler = "The talks went on. " * 2000
    text = filler + "Officials from the U.S. and Nov. 5 talks. " + "Z" * 100 + ". Then it ended."
    spans = [text[a:b] for a, b in split_sentences(text)]
    assert "Officials from the U.S. and Nov. 5 talks." in spans
    assert spans[-1] == "Then it ended."  # a period after a word longer than the window ends a sentence
    short = "U.S. officials met. They agreed."
    assert [short[a:b] for a, b in split_sentences(short)] == ["U.S. officials met.", "They agreed."]
