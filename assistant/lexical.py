"""A small in-memory BM25 index (Okapi BM25, k1=1.2, b=0.75) over chunk texts.

Built once per index version; a query touches only the postings of its terms.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

_STOP = set(
    """a an and are as at be been but by did do does for from had has have he her his how i if in into is it
    its me my not of on or our she so than that the their them then there these they this those to us was we
    were what when where which who whom why will with would you your about after also any can could should
    said say says tell told""".split()
)
_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*\+?")  # letters and digits of any script
# Scripts written without spaces between words: a run of them is indexed as character bigrams.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]+")


def strip_accents(text: str) -> str:
    """``text`` without accents, so "Müller" and "Muller", "Émile" and "Emile" match."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _bigrams(run: str) -> list[str]:
    return [run] if len(run) < 2 else [run[i : i + 2] for i in range(len(run) - 1)]


def _stem(word: str) -> str:
    for suffix in ("'s", "’s"):
        if word.endswith(suffix):
            word = word[: -len(suffix)]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Lower-cased terms; hyphenated and "+"-suffixed words also yield their parts."""
    terms: list[str] = []
    folded = strip_accents(text.lower())
    for run in _UNSPACED.findall(folded):
        terms.extend(_bigrams(run))
    for tok in _TOKEN.findall(_UNSPACED.sub(" ", folded)):
        parts = re.split(r"[-'’]", tok.rstrip("+"))
        if tok not in _STOP:
            terms.append(_stem(tok))
        if len(parts) > 1 or tok.endswith("+"):
            terms.extend(_stem(p) for p in parts if p and p not in _STOP)
    return terms


class BM25:
    """Okapi BM25 with postings as numpy arrays."""

    def __init__(self, texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.n = len(texts)
        lengths = np.zeros(self.n, dtype=np.float32)
        postings: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for i, text in enumerate(texts):
            counts = Counter(tokenize(text))
            lengths[i] = sum(counts.values())
            for term, tf in counts.items():
                docs, tfs = postings[term]
                docs.append(i)
                tfs.append(tf)
        avg = float(lengths.mean()) if self.n else 1.0
        norm = k1 * (1 - b + b * lengths / max(avg, 1e-9))
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, (docs, tfs) in postings.items():
            d = np.asarray(docs, dtype=np.int32)
            tf = np.asarray(tfs, dtype=np.float32)
            idf = math.log(1 + (self.n - len(d) + 0.5) / (len(d) + 0.5))
            self.postings[term] = (d, (idf * tf * (k1 + 1) / (tf + norm[d])).astype(np.float32))

    def document_frequency(self, term: str) -> int:
        """Number of documents holding ``term`` (a token as :func:`tokenize` yields it)."""
        hit = self.postings.get(term)
        return 0 if hit is None else len(hit[0])

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for ``query``."""
        out = np.zeros(self.n, dtype=np.float32)
        for term in set(tokenize(query)):
            hit = self.postings.get(term)
            if hit is not None:
                out[hit[0]] += hit[1]
        return out

    def top(self, query: str, n: int) -> list[tuple[int, float]]:
        """The ``n`` best (doc index, score) pairs with a positive score."""
        s = self.scores(query)
        if not self.n:
            return []
        n = min(n, self.n)
        idx = np.argpartition(-s, n - 1)[:n]
        idx = idx[np.argsort(-s[idx])]
        return [(int(i), float(s[i])) for i in idx if s[i] > 0]
