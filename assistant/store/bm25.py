"""A small BM25 index (Okapi BM25, k1=1.2, b=0.75) over chunk texts.

A query touches only the postings of its terms. The index is saved beside the store
(:mod:`assistant.store.bm25_file`), so a process loads it instead of tokenizing every chunk.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from assistant.ingest.lexicon import STOPWORDS

TOKENIZER_VERSION = "1"
"""Part of the saved BM25 file's format: bump it with any change to what :func:`tokenize` returns
(``tests/unit/ingest/test_golden.py`` fails when the tokens of its fixture change while this does not)."""
_PLUS = re.compile(r"(?<=[^\W_])\+(?=[^\W_])")  # "2+2" is "2 plus 2"; a final "+" ("Quad+") stays
_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*\+?")  # letters and digits of any script
# Scripts written without spaces between words: a run of them is indexed as character bigrams.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]+")


def strip_accents(text: str) -> str:
    """``text`` without accents, so "Müller" and "Muller", "Émile" and "Emile" match."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _bigrams(run: str) -> list[str]:
    return [run] if len(run) < 2 else [run[i : i + 2] for i in range(len(run) - 1)]


_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
# Number words index as their digits, so "five years" and "5 years", "two plus two" and "2+2" match.
NUMBER_WORDS = {w: i for i, w in enumerate(_UNITS)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}


def number_word(word: str) -> str:
    """The digits of a number word ("five" → "5", "twenty-one" → "21"); ``word`` itself otherwise."""
    if word in NUMBER_WORDS:
        return str(NUMBER_WORDS[word])
    tens, _, unit = word.partition("-")
    if tens in _TENS and unit in _UNITS[1:10]:
        return str(NUMBER_WORDS[tens] + NUMBER_WORDS[unit])
    return word


def stem(word: str) -> str:
    for suffix in ("'s", "’s"):
        if word.endswith(suffix):
            word = word[: -len(suffix)]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenize(text: str, spellings: bool = True) -> list[str]:
    """Lower-cased terms; hyphenated and "+"-suffixed words also yield their parts.

    With ``spellings`` (the index and its queries) number words become digits and "2+2"
    becomes "2 plus 2", so each spelling finds the others; the support checks, which compare
    numbers on their own (:func:`assistant.answer.support.numbers`), take the words as written."""
    terms: list[str] = []
    folded = strip_accents(text.lower())
    folded = _PLUS.sub(" plus ", folded) if spellings else folded
    digits = number_word if spellings else str
    for run in _UNSPACED.findall(folded):
        terms.extend(_bigrams(run))
    for tok in _TOKEN.findall(_UNSPACED.sub(" ", folded)):
        parts = re.split(r"[-'’]", tok.rstrip("+"))
        if tok not in STOPWORDS:
            terms.append(digits(stem(tok)))
        if len(parts) > 1 or tok.endswith("+"):
            terms.extend(digits(stem(p)) for p in parts if p and p not in STOPWORDS)
    return terms


def _postings(
    texts: Sequence[str], first_doc: int, vocab: dict[str, int]
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Tokenize ``texts`` (documents ``first_doc``, ``first_doc + 1``, …) into postings.

    Term ids extend ``vocab`` (not changed); returns the extended term list, then one
    term id, document and term frequency per posting, and each text's length in terms.
    """
    vocab = dict(vocab)
    term_ids: list[int] = []
    docs: list[int] = []
    tfs: list[int] = []
    lengths = np.zeros(len(texts), dtype=np.float32)
    for j, text in enumerate(texts):
        counts = Counter(tokenize(text))
        lengths[j] = sum(counts.values())
        for term, tf in counts.items():
            term_ids.append(vocab.setdefault(term, len(vocab)))
            docs.append(first_doc + j)
            tfs.append(tf)
    as_int = np.asarray(term_ids, dtype=np.int64), np.asarray(docs, dtype=np.int64)
    return list(vocab), *as_int, np.asarray(tfs, dtype=np.float32), lengths


def _merged(a: dict[str, Any], keep: np.ndarray, new_texts: Sequence[str]) -> dict[str, Any]:
    """The arrays of :meth:`BM25.arrays` for the documents where ``keep`` is True (in order),
    then ``new_texts``, still sorted by term: the few new postings are inserted after the old
    ones of their term, not the whole array sorted again."""
    keep = np.asarray(keep, dtype=bool)
    row = np.cumsum(keep) - 1  # old document -> its new position
    mask = keep[a["docs"]] if len(a["docs"]) else np.zeros(0, dtype=bool)
    vocab = {t: i for i, t in enumerate(a["terms"])}
    terms, new_ids, new_docs, new_tfs, new_lengths = _postings(new_texts, int(keep.sum()), vocab)
    old_ids = a["term_ids"][mask]
    order = np.argsort(new_ids, kind="stable")
    new_ids, new_docs, new_tfs = new_ids[order], new_docs[order], new_tfs[order]
    at = np.searchsorted(old_ids, new_ids, side="right")
    return {
        "terms": terms,
        "term_ids": np.insert(old_ids, at, new_ids),
        "docs": np.insert(row[a["docs"][mask]], at, new_docs),
        "tfs": np.insert(a["tfs"][mask], at, new_tfs),
        "lengths": np.concatenate((a["lengths"][keep], new_lengths)),
    }


class BM25:
    """Okapi BM25 over postings kept as flat arrays, sorted by term (compressed sparse rows).

    Raw term frequencies and document lengths are kept, and the weights derived from them,
    so the index can be saved (:meth:`arrays`), loaded (:meth:`from_arrays`) and updated
    (:meth:`updated`) without tokenizing the unchanged documents again.
    """

    def __init__(self, texts: Sequence[str] = (), k1: float = 1.2, b: float = 0.75) -> None:
        terms, term_ids, docs, tfs, lengths = _postings(texts, 0, {})
        self._set(terms, term_ids, docs, tfs, lengths, k1, b)

    # -- construction ----------------------------------------------------------
    def _set(
        self,
        terms: list[str],
        term_ids: np.ndarray,
        docs: np.ndarray,
        tfs: np.ndarray,
        lengths: np.ndarray,
        k1: float,
        b: float,
    ) -> None:
        """Sort the postings by term, drop unused terms, and compute every weight."""
        if len(term_ids) > 1 and np.any(term_ids[1:] < term_ids[:-1]):  # a saved index is sorted already
            order = np.argsort(term_ids, kind="stable")
            term_ids, docs, tfs = term_ids[order], docs[order], tfs[order]
        counts = np.bincount(term_ids, minlength=len(terms))
        used = np.flatnonzero(counts)
        if len(used) < len(terms):  # terms whose every document left the index
            remap = np.full(len(terms), -1, dtype=np.int64)
            remap[used] = np.arange(len(used))
            term_ids, terms, counts = remap[term_ids], [terms[i] for i in used], counts[used]
        self.k1, self.b = k1, b
        self.n = len(lengths)
        self.terms = terms
        self._index = {t: i for i, t in enumerate(terms)}
        self.offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self.docs = docs.astype(np.int32)
        self.tfs = tfs.astype(np.float32)
        self.lengths = lengths.astype(np.float32)
        avg = float(self.lengths.mean()) if self.n else 1.0
        norm = k1 * (1 - b + b * self.lengths / max(avg, 1e-9))
        df = counts.astype(np.float64)
        idf = np.log(1 + (self.n - df + 0.5) / (df + 0.5))
        per_posting_idf = np.repeat(idf, counts)
        self.weights = (per_posting_idf * self.tfs * (k1 + 1) / (self.tfs + norm[self.docs])).astype(np.float32)

    def arrays(self) -> dict[str, Any]:
        """Everything needed to rebuild this index with :meth:`from_arrays`."""
        term_ids = np.repeat(np.arange(len(self.terms), dtype=np.int32), np.diff(self.offsets))
        return {
            "terms": self.terms,
            "term_ids": term_ids,
            "docs": self.docs,
            "tfs": self.tfs,
            "lengths": self.lengths,
            "k1": self.k1,
            "b": self.b,
        }

    @classmethod
    def from_arrays(
        cls,
        terms: list[str],
        term_ids,
        docs,
        tfs,
        lengths,
        k1: float,
        b: float,
        keep: np.ndarray | None = None,
        new_texts: Sequence[str] = (),
    ) -> BM25:
        """The index saved by :meth:`arrays`; with ``keep`` and ``new_texts``, that index
        updated as :meth:`updated` does, without building it first."""
        a = {"terms": list(terms), "term_ids": np.asarray(term_ids), "docs": np.asarray(docs),
             "tfs": np.asarray(tfs), "lengths": np.asarray(lengths)}  # fmt: skip
        if keep is not None or new_texts:
            a = _merged(a, np.ones(len(a["lengths"]), dtype=bool) if keep is None else keep, new_texts)
        self = cls.__new__(cls)
        self._set(a["terms"], a["term_ids"], a["docs"], a["tfs"], a["lengths"], k1, b)
        return self

    def updated(self, keep: np.ndarray, new_texts: Sequence[str]) -> BM25:
        """A new index over the documents where ``keep`` is True (in order), then ``new_texts``;
        only the new texts are tokenized."""
        return BM25.from_arrays(**self.arrays(), keep=keep, new_texts=new_texts)

    # -- queries ---------------------------------------------------------------
    def _postings_of(self, term: str) -> slice | None:
        i = self._index.get(term)
        return None if i is None else slice(int(self.offsets[i]), int(self.offsets[i + 1]))

    def document_frequency(self, term: str) -> int:
        """Number of documents holding ``term`` (a token as :func:`tokenize` yields it)."""
        i = self._index.get(term)
        return 0 if i is None else int(self.offsets[i + 1] - self.offsets[i])

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for ``query``."""
        out = np.zeros(self.n, dtype=np.float32)
        for term in set(tokenize(query)):
            sl = self._postings_of(term)
            if sl is not None:
                out[self.docs[sl]] += self.weights[sl]
        return out


def idf_function(document_frequency: Callable[[str], int], n_docs: int) -> Callable[[str], float]:
    """BM25-style IDF from a document-frequency lookup; unseen terms get the highest weight."""

    def idf(term: str) -> float:
        df = document_frequency(number_word(term))  # the index holds "five" as "5"
        return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))

    return idf
