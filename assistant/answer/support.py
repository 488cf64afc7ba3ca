"""Does a span state what a sentence claims?  Deterministic agreement checks.

For one answer sentence and one evidence span this module measures:

* **names**: every proper name in the sentence (a capitalised word that is not a
  sentence-initial function word) must occur in what the reader sees with the span: the
  span, its article's title, the passage's speaker, and the paragraph before it (where the
  names its pronouns refer to are).  Inflections, small typos and acronyms match
  ("Huguenots" ~ "Huguenot", "EU" ~ "European Union"); "Japan withdrew" is not supported by
  "Israel withdrew";
* **numbers**: every number, in digits or words, every ordinal and every month must occur
  in the span's context: "1974" is not "1973", "five years" matches "5 years";
* **negation**: one side negating what the other asserts ("did not withdraw" against
  "withdrew", or the reverse) is a mismatch; the words the negation governs must recur on
  the other side, so "not just yes or no" does not clash with "a complex answer";
* **content**: the IDF-weighted share of the sentence's content terms found in the span,
  so a rare word the span lacks ("rarest", "son") weighs more than a common one.

The same measurements, run between the question and the cited passages, tell whether
the passages are about what was asked.  Nothing here knows any corpus: the word lists
are English function words and number words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from assistant.ingest.chunk import split_sentences
from assistant.ingest.lexicon import FUNCTION_WORDS, MONTH_ABBREVIATIONS, MONTHS
from assistant.store.bm25 import NUMBER_WORDS as _NUMBER_WORDS
from assistant.store.bm25 import strip_accents, tokenize

_WORD = re.compile(r"[^\W_](?:[\w’'.-]*[^\W_])?")
_NEGATION = {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot", "nowhere"}
_SCALES = {"hundred", "thousand", "million", "billion", "trillion"}
_ORDINALS = {
    w: i
    for i, w in enumerate(
        "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()
    )
}
# Where a negation's reach ends: the end of its clause.
_CLAUSE_END = re.compile(r"[,;:.!?()\[\]—–]|\b(?:but|yet|while|whereas|although|though|instead|rather)\b")
# Words that begin a sentence with a capital without naming anything.
_COMMON_STARTS = FUNCTION_WORDS | {"said", "say", "says", "yes", "no", "then", "now", "today", "answer"}


def fold(word: str) -> str:
    """Lower-case, strip accents and possessives: "Müller’s" -> "muller"."""
    word = strip_accents(word.lower())
    return re.sub(r"['’]s?$", "", word).strip(".-")


def words(text: str) -> list[str]:
    """Words of ``text`` as written (Unicode letters and digits; inner ' - . kept)."""
    return _WORD.findall(text)


def _parse_number(token: str) -> str | None:
    t = token.lower().replace(",", "")
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(?:st|nd|rd|th|s|%)?", t)
    if m:
        value = float(m.group(1))
        return str(int(value)) if value.is_integer() else str(value)
    if t in _NUMBER_WORDS and t != "one":  # "one" is mostly a pronoun in news prose
        return str(_NUMBER_WORDS[t])
    if t in _ORDINALS and t not in ("first", "zeroth"):  # "first" is mostly "earliest/leading"
        return str(_ORDINALS[t])
    if t in _SCALES:
        return t
    if t in MONTHS:
        return f"month{MONTHS[t]}"
    if t.rstrip(".") in MONTH_ABBREVIATIONS and token[:1].isupper():
        return f"month{MONTH_ABBREVIATIONS[t.rstrip('.')]}"
    return None


_DIGITS = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:st|nd|rd|th|s)?(?![\w])")


def numbers(text: str, spelled: bool = True) -> set[str]:
    """Canonical numbers, ordinals, scale words and months in ``text``: "five" and "5" are both "5".

    With ``spelled=False`` only digits and months count (a question's "what two resources"
    counts what is asked for; it is not a figure the passage must repeat)."""
    out: set[str] = set()
    for m in _DIGITS.finditer(text):
        value = float(m.group(1).replace(",", "") + (m.group(2) or ""))
        out.add(str(int(value)) if value.is_integer() else str(value))
    for w in words(text):
        if not spelled and fold(w) not in MONTHS:
            continue
        if any(ch.isdigit() for ch in w):
            continue
        for part in re.split(r"[-–]", w):
            n = _parse_number(part)
            if n is not None:
                out.add(n)
    return out


def names(text: str, skip_first: bool = False) -> set[str]:
    """Folded proper names: capitalised words that are not sentence-initial function words.

    With ``skip_first`` the first word of each sentence is never taken as a name unless it
    is capitalised inside too ("McBride", "AppleTalk", "EU"): questions start with a capital
    that names nothing ("Intractable problems …"), and their content terms are checked anyway.
    """
    out: set[str] = set()
    for sent in re.split(r"(?<=[.!?])\s+|\n+", text):
        ws = words(sent)
        for i, w in enumerate(ws):
            if not w[:1].isupper() or _parse_number(w) is not None:
                continue
            f = fold(w)
            if f in FUNCTION_WORDS or len(f) < 2:
                continue
            inner_capital = any(ch.isupper() for ch in w[1:])
            if i == 0 and not inner_capital and (skip_first or f in _COMMON_STARTS):
                continue
            out.add(f)
    return out


def _acronyms(text: str) -> set[str]:
    """Initials of runs of capitalised words: "European Union" -> "eu", "Department of Defense" -> "dd", "dod"."""
    out: set[str] = set()
    for run in re.finditer(r"(?:[A-Z][\w’'-]*(?:\s+(?:of|the|for|and|de|du|la)\s+|\s+)?){2,}", text):
        ws = run.group(0).split()
        out.add("".join(w[0] for w in ws).lower())
        out.add("".join(w[0] for w in ws if w[0].isupper()).lower())
    return out


def _edits_within(a: str, b: str, limit: int) -> bool:
    """Levenshtein distance of ``a`` and ``b`` is at most ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        if min(cur) > limit:
            return False
        prev = cur
    return prev[-1] <= limit


class NamePool:
    """The words of a context, for deciding whether a name occurs in it despite inflection,
    a typo ("Hatmanis" ~ "Hartmanis") or an acronym ("EU" ~ "European Union")."""

    def __init__(self, text: str) -> None:
        self.words = {fold(w) for w in words(text)}
        self.roots = {root(w) for w in self.words}
        self.acronyms = _acronyms(text)

    def __contains__(self, name: str) -> bool:
        if name in self.words or root(name) in self.roots or name in self.acronyms:
            return True
        parts = [p for p in re.split(r"[-.]", name) if p]
        if len(parts) > 1 and all(p in self.words or root(p) in self.roots for p in parts):
            return True
        limit = 2 if len(name) >= 8 else 1 if len(name) >= 5 else 0
        return bool(limit) and any(_edits_within(name, w, limit) for w in self.words if w[:1] == name[:1])


_SUFFIXES = ("ations", "ation", "ings", "ing", "edly", "ed", "es", "ly", "ers", "er", "s")


def root(term: str) -> str:
    """A crude English root for matching inflections: "called", "calling" -> "call"."""
    for suffix in _SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= 3:
            term = term[: -len(suffix)]
            break
    return term[:-1] + "y" if term.endswith("i") else term


def _match(term: str, roots: set[str], prefixes: set[str]) -> bool:
    """Same root, or a shared stem of 5+ characters ("retaliated" ~ "retaliation")."""
    r = root(term)
    return r in roots or (len(r) >= 5 and r[:5] in prefixes and any(_shared(r, p) for p in roots))


def _shared(a: str, b: str) -> bool:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n >= 5 and n >= 0.7 * min(len(a), len(b))


def content_terms(text: str) -> set[str]:
    """Stemmed content terms of ``text`` with accents folded ("Müller" -> "muller"); stop words dropped."""
    return {t for t in tokenize(text, spellings=False) if len(t) > 2}


@dataclass
class Agreement:
    """How far one span (with its context) states one sentence."""

    coverage: float
    """IDF-weighted share of the sentence's content terms found in the span context."""
    cosine: float
    """Embedding cosine between sentence and span."""
    missing_names: list[str]
    missing_numbers: list[str]
    negation_differs: bool

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def weighted_coverage(terms: Iterable[str], context: str, idf: Callable[[str], float]) -> tuple[float, list[str]]:
    """IDF-weighted share of ``terms`` present in ``context``, and the missing terms."""
    pool = {root(t) for t in content_terms(context)}
    prefixes = {p[:5] for p in pool if len(p) >= 5}
    total = hit = 0.0
    missing = []
    for t in sorted(set(terms)):
        w = idf(t)
        total += w
        if _match(t, pool, prefixes):
            hit += w
        else:
            missing.append(t)
    return (hit / total if total else 1.0), missing


def agreement(
    sentence: str, span: str, context: str, cosine: float, idf: Callable[[str], float], lead: str = ""
) -> Agreement:
    """Measure how far ``span`` (plus ``context``: title, speaker, date) states ``sentence``.

    ``lead`` is the passage text before the span: a name given there is what the span's
    pronouns refer to ("Wang Yi … The state councilor said …"), so it counts for names only.
    """
    full = f"{span}\n{context}"
    coverage, _ = weighted_coverage(content_terms(sentence), full, idf)
    pool = NamePool(f"{full}\n{lead}")
    missing_names = sorted(n for n in names(sentence) if n not in pool)
    missing_numbers = sorted(numbers(sentence) - numbers(full))
    return Agreement(
        coverage=round(coverage, 4),
        cosine=round(float(cosine), 4),
        missing_names=missing_names,
        missing_numbers=missing_numbers,
        negation_differs=negation_differs(sentence, _closest_sentence(sentence, span)),
    )


def _negation_scope(text: str) -> set[str] | None:
    """Roots of the content words that the negations in ``text`` govern (the few words after
    each cue), or ``None`` when ``text`` has no negation."""
    scope: set[str] = set()
    found = False
    for clause in _CLAUSE_END.split(text.lower().replace("’", "'")):
        toks = re.findall(r"[^\W\d_]+(?:'t)?", clause)
        for i, t in enumerate(toks):
            if t in _NEGATION or t.endswith("n't"):
                found = True
                after = [
                    w for w in toks[i + 1 : i + 7] if w not in FUNCTION_WORDS and w not in _NEGATION and len(w) > 2
                ]
                scope |= {root(w) for w in after[:3]}
    return scope if found else None


def negation_differs(sentence: str, span_sentence: str) -> bool:
    """The sentence negates what the span asserts, or asserts what the span negates: one side
    has a negation whose governed words the other side repeats without one."""
    s_scope, p_scope = _negation_scope(sentence), _negation_scope(span_sentence)
    if (s_scope is None) == (p_scope is None):
        return False
    scope, other = (s_scope, span_sentence) if s_scope is not None else (p_scope, sentence)
    return bool(scope & {root(t) for t in content_terms(other)})


def _closest_sentence(sentence: str, span: str) -> str:
    """The sentence of ``span`` sharing the most content terms with ``sentence``."""
    terms = content_terms(sentence)
    best, best_n = span, -1
    for a, b in split_sentences(span):
        n = len(terms & content_terms(span[a:b]))
        if n > best_n:
            best, best_n = span[a:b], n
    return best
