"""Who is speaking: find quote attributions in news text and speaker names in questions.

News text attributes speech as "X said", "said X", "X told …", "according to
X", or "X, a professor at …, believes …".  These patterns are deliberately
plain regular expressions so that a reader can see why a passage was treated
as someone's own words.
"""

from __future__ import annotations

import re

_CAP = r"[A-Z][a-zA-Z'’]*[a-z][a-zA-Z'’]*(?:-[a-zA-Z]+)*"
NAME = rf"{_CAP}(?:\s+{_CAP}){{0,3}}"
_VERBS = (
    r"said|says|told|tells|noted|notes|added|adds|warned|warns|stressed|stresses|emphasized|emphasised|"
    r"believes|believed|argued|argues|explained|remarked|wrote|writes|commented|insisted|claimed|urged|"
    r"stated|asserted|observed|predicted|suggested|cautioned|concluded|continued|mentioned|pointed out|"
    r"slammed|criticized|criticised|accused|vowed|announced|replied|responded|declared|admitted|"
    r"was quoted|made clear|called|described|reiterated|acknowledged|expressed"
)
_LEAD = r"(?:also\s+|further\s+|again\s+|likewise\s+|then\s+|later\s+|previously\s+|recently\s+)?"

_PATTERNS = [
    # "Shin Kak-soo said", "Shin Kak-soo, a former official at …, believes"
    re.compile(
        rf"(?P<name>{NAME})(?:\s*\([^)]{{0,120}}\))?(?:,\s+(?!but\b|and\b|or\b|which\b|while\b)[A-Za-z(][^.“”\"]{{0,240}}?,)?\s+{_LEAD}(?:{_VERBS})\b"
    ),
    # "… said Song", "… noted Lee"
    re.compile(rf"\b(?:{_VERBS})\s+(?P<name>{NAME})"),
    # "according to Shin Kak-soo"
    re.compile(rf"\b[Aa]ccording to (?:the\s+)?(?P<name>{NAME})"),
    # "For his part, Suh said"
    re.compile(rf"(?P<name>{NAME})\s+(?:has|had|also|later)\s+(?:{_VERBS})\b"),
]

_NOT_NAMES = {
    "the",
    "this",
    "that",
    "these",
    "those",
    "it",
    "he",
    "she",
    "they",
    "we",
    "i",
    "you",
    "his",
    "her",
    "there",
    "but",
    "and",
    "however",
    "meanwhile",
    "in",
    "on",
    "at",
    "as",
    "for",
    "if",
    "while",
    "when",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
    "yesterday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "experts",
    "officials",
    "analysts",
    "statement",
    "report",
    "reporters",
}


def _clean_name(name: str) -> str:
    name = re.sub(r"['’]s?$", "", name.strip())
    words = name.split()
    while words and words[0].lower() in _NOT_NAMES:
        words = words[1:]
    return " ".join(words)


def find_speakers(text: str) -> list[str]:
    """Names that ``text`` attributes speech to, in order of first appearance."""
    found: list[tuple[int, str]] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            name = _clean_name(m.group("name"))
            if name and name.split()[-1].lower() not in _NOT_NAMES:
                found.append((m.start("name"), name))
    seen: dict[str, None] = {}
    for _, name in sorted(found):
        seen.setdefault(name, None)
    return list(seen)


_SPEECH_Q = re.compile(
    rf"(?:did|does|do|has|have|had|would|will|is|was)\s+(?P<name>{NAME})\s+"
    r"(?:say|said|think|thought|tell|told|warn|note|believe|argue|stress|emphasi[sz]e|add|claim|describe|"
    r"suggest|comment|mention|predict|remark|explain|call|urge|view|see|expect|make of|feel|write|wrote|"
    r"propose|recommend|state|assert|insist|caution|quoted)",
)
_POSSESSIVE_Q = re.compile(
    rf"(?P<name>{NAME})['’]s\s+(?:view|views|comment|comments|remark|remarks|statement|opinion|position|"
    r"warning|argument|assessment|point|message|words|quote|take|stance|answer|response)"
)
_ACCORDING_Q = re.compile(rf"\b[Aa]ccording to (?P<name>{NAME})")
_QUOTE_Q = re.compile(rf"(?:quote|quotes|quoted|statement|statements|remarks|comments) (?:of|from|by) (?P<name>{NAME})")


def question_speaker(question: str) -> str:
    """The person whose words the question asks about, or ``""``.

    >>> question_speaker("What did Shin Kak-soo say about Quad+?")
    'Shin Kak-soo'
    """
    for pattern in (_SPEECH_Q, _POSSESSIVE_Q, _ACCORDING_Q, _QUOTE_Q):
        m = pattern.search(question)
        if m:
            name = _clean_name(m.group("name"))
            if name and name.lower() not in _NOT_NAMES:
                return name
    return ""


def name_parts(name: str) -> set[str]:
    """Lower-cased parts of a name used to match variants ("Ji-hwan Hwang" ~ "Hwang Ji-hwan")."""
    return {w.lower() for w in re.split(r"\s+", name) if len(w) > 1}


def same_person(a: str, b: str) -> bool:
    """True when two name strings plausibly refer to the same person."""
    pa, pb = name_parts(a), name_parts(b)
    if not pa or not pb:
        return False
    # A single-word name (a surname) matches any name containing it.
    if len(pa) == 1 or len(pb) == 1:
        return bool(pa & pb)
    return len(pa & pb) >= min(2, len(pa), len(pb))
