"""Sources that disagree: a deterministic check over the retrieved passages.

The question says what kind of value it asks for: "how long" a duration, "how many X" a
count of X, "how much" an amount, "what percentage" a share, "when" or "what year" a date,
"who" a person.  Sentences that state such a value are compared across articles: the one
most relevant to the question is the anchor, and each other article that reports the same
story speaks through its sentence most like the anchor (:func:`find_conflicts`).  When
articles give different values, that is a :class:`Conflict`, and each side carries the
exact span of its sentence, its publisher and date.

Nothing here knows any corpus: the word lists are English question words, units and months.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import regex

from assistant.answer.support import NamePool, content_terms, names, weighted_coverage
from assistant.ingest.attribution import NAME, bare_name, same_person
from assistant.ingest.chunk import split_sentences
from assistant.ingest.lexicon import FUNCTION_WORDS, MONTHS, STOPWORDS
from assistant.ingest.load import source_text
from assistant.policy import Policy
from assistant.store.bm25 import NUMBER_WORDS, number_word, stem

_WORDNUM = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_NUM = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?|(?:{_WORDNUM})(?:-(?:{_WORDNUM}))?"
_SCALE = r"(?:\s+(?:hundred|thousand|million|billion|trillion))?"
_UNITS = r"years?|months?|weeks?|days?|decades?|hours?|minutes?"
_MONTH = "|".join(m.capitalize() for m in MONTHS)

# What the question asks for: (kind, the question's pattern).  The first that matches wins.
_ASKS: list[tuple[str, re.Pattern[str]]] = [
    ("duration", re.compile(rf"\bhow long\b|\b(?:for )?how many (?:{_UNITS})\b", re.I)),
    ("percent", re.compile(r"\bwhat (?:percentage|percent|share|proportion)\b", re.I)),
    ("amount", re.compile(r"\bhow much\b", re.I)),
    ("count", re.compile(r"\bhow many\s+([^?]*)", re.I)),
    ("date", re.compile(r"^\s*when\b|\b(?:what|which|in what) (?:year|date|day|month)\b", re.I)),
    ("person", re.compile(r"^\s*who\b(?!se|m)", re.I)),
]

# How each kind of value is written in an article.
_VALUES: dict[str, re.Pattern[str]] = {
    "duration": re.compile(rf"\b({_NUM})(?:[\s-]+(?:more|full|straight|consecutive|long))?[\s-]+({_UNITS})\b", re.I),
    "percent": re.compile(rf"\b({_NUM})\s?(%|percent\b|per cent\b)", re.I),
    "amount": re.compile(
        rf"([$€£¥]\s?(?:{_NUM}){_SCALE})|\b((?:{_NUM}){_SCALE}\s+(?:dollars|euros|pounds|yen|yuan|won|rupees|francs))\b",
        re.I,
    ),
    "date": re.compile(
        rf"\b(?:({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?|(\d{{1,2}})\s+({_MONTH})(?:\s+(\d{{4}}))?"
        rf"|(?:in|since|by|until|of)\s+(?:({_MONTH})\s+)?(1[5-9]\d\d|20\d\d))\b"
    ),
}
_NAME = regex.compile(NAME)


@dataclass(frozen=True)
class Side:
    """One article's value, with the exact span of the sentence that states it."""

    value: str
    """The value as the article writes it ("five years")."""
    key: tuple[Any, ...]
    """The value normalised for comparison."""
    source: str
    path: str
    title: str
    publisher: str
    date: str
    chunk_id: str
    start: int
    end: int
    text: str
    relevance: float
    """How well the sentence matches the question (0–1)."""
    likeness: float
    """How alike the sentence (value masked) is to the most relevant side's (1 for that side)."""


@dataclass(frozen=True)
class _Candidate:
    """A sentence of a passage that states a value of the asked kind."""

    passage: Any
    a: int
    b: int
    sentence: str
    context: str
    value: str
    key: tuple[Any, ...]


@dataclass
class Conflict:
    """Articles that give different values for what the question asks."""

    kind: str
    sides: list[Side]


def asked(question: str) -> tuple[str, tuple[str, ...]] | None:
    """What kind of value ``question`` asks for, and for "how many X" the words that may
    name X (the words after "how many" up to a verb or function word: "people died")."""
    for kind, pattern in _ASKS:
        m = pattern.search(question)
        if not m:
            continue
        if kind != "count":
            return kind, ()
        nouns = []
        for w in m.group(1).split()[:3]:
            w = w.lower().strip(".,’'")
            if w in FUNCTION_WORDS or w in STOPWORDS or len(w) < 3:
                break
            nouns.append(stem(w))
        return (kind, tuple(nouns)) if nouns else None
    return None


def _number(text: str) -> float | None:
    t = number_word(text.lower().replace(",", ""))
    try:
        return float(t)
    except ValueError:
        return None


def _duration_key(m: re.Match[str]) -> tuple[Any, ...] | None:
    n = _number(m.group(1))
    return None if n is None else (n, m.group(2).lower().rstrip("s"))


def _count_values(sentence: str, nouns: tuple[str, ...]) -> list[tuple[str, tuple[Any, ...]]]:
    counted = "|".join(re.escape(n) for n in nouns)
    pattern = rf"\b({_NUM})({_SCALE})(?:\s+[\w’'-]+){{0,3}}?\s+(?:{counted})\w*\b"
    out = []
    for m in re.finditer(pattern, sentence, re.I):
        n = _number(m.group(1))
        if n is not None:
            out.append((m.group(0), (n, m.group(2).strip().lower())))
    return out


def _amount_key(text: str) -> tuple[Any, ...] | None:
    """(number, scale word, unit) of "$1.5 billion", "20 percent", "300 million won"."""
    m = re.search(_NUM, text, re.I)
    n = _number(m.group(0)) if m else None
    if n is None:
        return None
    scale = re.search(r"hundred|thousand|million|billion|trillion", text, re.I)
    unit = re.search(r"[$€£¥%]|[a-z]+$", text.lower().strip())
    return (n, scale.group(0).lower() if scale else "", unit.group(0) if unit else "")


def _date_key(m: re.Match[str]) -> tuple[Any, ...]:
    g = m.groups()
    if g[0]:
        return (g[2], MONTHS[g[0].lower()], int(g[1]))
    if g[3]:
        return (g[5], MONTHS[g[4].lower()], int(g[3]))
    return (g[7], MONTHS[g[6].lower()] if g[6] else None, None)


def _person_values(sentence: str, question: str) -> list[tuple[str, tuple[Any, ...]]]:
    asked_names = names(question, skip_first=True)
    out = []
    for m in _NAME.finditer(sentence):
        name = bare_name(m.group(0))
        parts = name.split()
        if len(parts) < 2 or any(p.lower() in FUNCTION_WORDS or p in _MONTH.split("|") for p in parts):
            continue
        if any(p.lower() in asked_names for p in parts):
            continue
        out.append((name, (name,)))
    return out


def values(kind: str, nouns: tuple[str, ...], sentence: str, question: str) -> list[tuple[str, tuple[Any, ...]]]:
    """The values of ``kind`` a sentence states: (as written, normalised key)."""
    if kind == "count":
        return _count_values(sentence, nouns)
    if kind == "person":
        return _person_values(sentence, question)
    out = []
    for m in _VALUES[kind].finditer(sentence):
        if kind == "duration":
            key = _duration_key(m)
        elif kind == "date":
            key = _date_key(m)
        else:
            key = _amount_key(m.group(0))
        if key is not None:
            out.append((m.group(0).strip(), key))
    return out


def differ(kind: str, a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """Two keys name different values (a year and a full date differ only where both say something)."""
    if kind == "person":
        return not same_person(a[0], b[0])
    if kind == "date":
        return any(x is not None and y is not None and x != y for x, y in zip(a, b))
    return a != b


def _question_terms(question: str, kind: str) -> set[str]:
    """The question's content terms, without the words that say what kind of value it asks for."""
    return content_terms(dict(_ASKS)[kind].sub(" ", question))


def _candidates(kind: str, nouns: tuple[str, ...], question: str, passages: Sequence[Any]) -> list[_Candidate]:
    """Every sentence of ``passages`` that states a value of ``kind``, with its context."""
    out = []
    for p in passages:
        spans = split_sentences(p.text)
        for i, (a, b) in enumerate(spans):
            sentence = p.text[a:b]
            found = values(kind, nouns, sentence, question)
            if not found or (kind == "person" and len(found) != 1):
                continue  # a sentence naming several people does not say which one did it
            before = p.text[spans[i - 1][0] : spans[i - 1][1]] + " " if i else ""
            out.append(_Candidate(p, a, b, sentence, before + sentence, *found[0]))
    return out


def _undot(text: str) -> str:
    """Initials without their inner dots ("U.S." → "US."), in a question and an article alike."""
    return re.sub(r"\b(\w)\.(?=\w)", r"\1", text)


@lru_cache(maxsize=64)
def _cached_pool(path: str, title: str, mtime_ns: int, size: int) -> NamePool:
    try:
        text = source_text(path)
    except (OSError, UnicodeDecodeError):
        text = ""
    return NamePool(_undot(f"{title}\n{text}"))


def _pool(path: str, title: str) -> NamePool:
    """The names of an article, cached while its file is unchanged (as :func:`source_text` is),
    so that a running server sees an article's new names after it is re-indexed."""
    try:
        st = os.stat(path)
    except OSError:
        return _cached_pool(path, title, 0, 0)
    return _cached_pool(path, title, st.st_mtime_ns, st.st_size)


def _about(passage: Any, named: set[str]) -> bool:
    """The passage's article holds every name the question holds."""
    pool = _pool(passage.path or passage.source, passage.title)
    return all(n in pool for n in named)


def _predicate(question: str) -> str:
    """The first content word after "who" ("Who was steering …" → "steering")."""
    for w in question.split()[1:]:
        w = w.lower().strip("?,.’'")
        if w not in FUNCTION_WORDS and w not in STOPWORDS and len(w) > 2:
            return w
    return ""


def _story(passage: Any) -> str:
    """What names a passage's story: its article's title (its opening words if untitled)."""
    return passage.title or passage.text[:200]


def _filtered(kind: str, nouns: tuple[str, ...], question: str, passages: Sequence[Any], idf: Any) -> list[_Candidate]:
    """The candidate sentences that may speak for their article."""
    found = _candidates(kind, nouns, question, passages)
    if kind == "person":  # "who" asks who did something: the sentence must say that thing
        verb = _predicate(question)
        found = [c for c in found if verb and weighted_coverage([verb], c.sentence, idf)[0] == 1.0]
    named = {p.strip(".") for n in names(_undot(question), skip_first=True) for p in n.split("-") if p.strip(".")}
    return [c for c in found if _about(c.passage, named)]  # only articles that name what the question names


def find_conflicts(
    question: str, passages: Sequence[Any], idf: Callable[[str], float], embedder: Any, policy: Policy
) -> list[Conflict]:
    """Disagreements among ``passages`` on what ``question`` asks.

    A candidate is a sentence that states a value of the asked kind, in an article that names
    everything the question names.  Its relevance is the larger of the IDF-weighted share of
    the question's terms it holds (with the sentence before it) and its embedding cosine with
    the question; the most relevant is the anchor.  Every other article speaks through its
    candidate most like the anchor (values masked), if that candidate is relevant enough, alike
    enough, and its article reports the same story (titles alike).  The thresholds are the
    policy's ``conflict_*`` fields."""
    what = asked(question)
    if what is None:
        return []
    kind, nouns = what
    found = _filtered(kind, nouns, question, passages, idf)
    if len({c.passage.source for c in found}) < 2:
        return []
    terms = _question_terms(question, kind)
    stories = list(dict.fromkeys(_story(c.passage) for c in found))
    vectors = np.asarray(embedder.embed_documents([c.context.replace(c.value, "#") for c in found] + stories))
    vectors, story_vectors = vectors[: len(found)], dict(zip(stories, vectors[len(found) :]))
    cos = vectors @ np.asarray(embedder.embed_query(question))
    relevance = [max(weighted_coverage(terms, c.context, idf)[0], float(x)) for c, x in zip(found, cos)]
    anchor = int(np.argmax(relevance))
    if relevance[anchor] < policy.conflict_min_relevance:
        return []
    likeness = vectors @ vectors[anchor]
    story = story_vectors[_story(found[anchor].passage)]
    best: dict[str, int] = {found[anchor].passage.source: anchor}
    for i, c in enumerate(found):
        if (
            relevance[i] >= policy.conflict_min_relevance
            and likeness[i] >= policy.conflict_min_likeness
            and float(story_vectors[_story(c.passage)] @ story) >= policy.conflict_same_story
            and (c.passage.source not in best or likeness[i] > likeness[best[c.passage.source]])
        ):
            best[c.passage.source] = i
    sides: list[Side] = []
    for i in best.values():
        c, p = found[i], found[i].passage
        side = Side(
            c.value, c.key, p.source, p.path, p.title, p.publisher, p.date, p.chunk_id, p.start + c.a,
            p.start + c.b, c.sentence, round(relevance[i], 3), round(float(likeness[i]), 3),
        )  # fmt: skip
        if all(differ(kind, side.key, s.key) for s in sides):
            sides.append(side)
    return [Conflict(kind, sides)] if len(sides) > 1 else []
