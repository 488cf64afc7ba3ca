"""Text beyond ASCII: accented names are names, sentences split, and other scripts get lexical terms.

What works in a language other than English: articles are indexed with exact offsets, split
into sentences (also at 。！？), and found by lexical search (words, or character pairs for
scripts written without spaces). The embedding model and the LLM are English models, so
answers in other languages are best effort; nothing crashes.
"""

from __future__ import annotations

from assistant.ingest.attribution import find_speakers, question_speaker, same_person
from assistant.ingest.chunk import chunk_article, split_sentences
from assistant.ingest.load import read_article
from assistant.store.bm25 import BM25, tokenize
from tests.helpers import DATA as TEST_DATA

DATA = TEST_DATA / "unicode"


def test_accented_names_are_speakers():
    text = (DATA / "accented.txt").read_text(encoding="utf-8")
    speakers = find_speakers(text)
    assert "Anna Müller" in speakers and "Émile Durand-Lefèvre" in speakers and "Łukasz Nowak" in speakers
    assert question_speaker("What did Émile Durand-Lefèvre say about summer flows?") == "Émile Durand-Lefèvre"
    assert same_person("Müller", "Anna Müller")


def test_lexical_terms_fold_accents_and_cover_other_scripts():
    assert tokenize("Anna Müller in Warszawa") == tokenize("anna muller in warszawa")
    assert "emile" in tokenize("Émile")
    assert tokenize("Министр заявил") == ["министр", "заявил"]
    assert "首尔" in tokenize("两国外长在首尔会晤")
    bm25 = BM25(["两国外长在首尔会晤", "The ministers met in Geneva"])
    assert bm25.scores("首尔")[0] > 0 and bm25.scores("首尔")[1] == 0


def test_sentences_and_chunks_of_non_ascii_articles_are_exact():
    for name in ("accented.txt", "chinese.txt"):
        path = DATA / name
        text = path.read_text(encoding="utf-8")
        chunks = chunk_article(read_article(path))
        assert chunks and all(text[c.start : c.end] == c.text for c in chunks)
    zh = (DATA / "chinese.txt").read_text(encoding="utf-8")
    para = zh.split("\n\n")[1]
    start = zh.index(para)
    assert len(split_sentences(zh, start, start + len(para))) == 2  # split at 。 with no space after it
    acc = (DATA / "accented.txt").read_text(encoding="utf-8")
    sents = [acc[a:b] for a, b in split_sentences(acc)]
    assert "“We are close to a deal,” said Anna Müller, the chief negotiator for the upstream side." in sents
