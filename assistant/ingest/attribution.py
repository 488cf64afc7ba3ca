"""Who is speaking: find quote attributions in news text and speaker names in questions.

News text attributes speech as "X said", "said X", "X told …", "according to
X", or "X, a professor at …, believes …".  These patterns are deliberately
plain regular expressions so that a reader can see why a passage was treated
as someone's own words.
"""

from __future__ import annotations

import functools

import regex as re  # Unicode classes: "Anna Müller", "Émile Durand", "Łukasz Nowak" are names too

from assistant.ingest.lexicon import ORGANISATION_WORDS, REPORTING_VERBS, TITLES

_CAP = r"\p{Lu}[\p{L}'’]*\p{Ll}[\p{L}'’]*(?:-\p{L}+)*"
NAME = rf"{_CAP}(?:\s+{_CAP}){{0,3}}"
# Verbs a speaker's name may follow ("…, said Song"); after the others it is their object.
_INVERTED = (
    r"said|says|noted|notes|added|adds|warned|warns|stressed|wrote|writes|explained|argued|insisted|"
    r"remarked|commented|observed|replied|responded|declared|admitted|cautioned|concluded|continued|asked"
)
# Words that open a new clause, not an appositive ("China, which …, warned" names no speaker).
_CLAUSE = r"(?:but|and|or|which|while|where|when)\b"
_LEAD = r"(?:(?:also|further|again|likewise|then|later|previously|recently|only|particularly|repeatedly|publicly)\s+)?"

_PATTERNS = [
    # "Shin Kak-soo said", "Shin Kak-soo, a former official at …, believes"
    re.compile(
        rf"(?P<name>{NAME})(?:\s*\([^)]{{0,120}}\))?(?:,\s+(?!{_CLAUSE})[\p{{L}}(](?:(?!,\s+(?:{_CLAUSE}))[^.“”\"]){{0,240}}?,)?\s+{_LEAD}(?:{REPORTING_VERBS})\b"
    ),
    # "… said Song", "… noted Lee" (not "told Lee" or "urged Lee": there Lee is the listener)
    re.compile(rf"\b(?:{_INVERTED})\s+(?P<name>{NAME})"),
    # "according to Shin Kak-soo"
    re.compile(rf"\b[Aa]ccording to (?:the\s+)?(?P<name>{NAME})"),
    # "For his part, Suh said"
    re.compile(rf"(?P<name>{NAME})\s+(?:has|had|also|later)\s+(?:{REPORTING_VERBS})\b"),
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
    # Words that open a sentence before its speaker: "Asked about …, he replied", "Speaking to …".
    "asked",
    "speaking",
    "referring",
    "commenting",
    "talking",
    "responding",
    "writing",
}
# After "said Lee", words that keep Lee the speaker ("said Lee in a statement"); any other
# lower-case word makes Lee the subject of what was said ("sources said Lee would chair …").
_AFTER_INVERTED = {
    "in", "on", "at", "after", "before", "during", "when", "while", "as", "from", "of", "to", "for", "with",
    "last", "this", "yesterday", "today", "adding", "noting", "told", "who", "whose", "a", "an", "the",
}  # fmt: skip


def clean_name(name: str) -> str:
    """``name`` without a possessive ending and the function words that may open it ("The", "Asked")."""
    name = re.sub(r"['’]s?$", "", name.strip())
    words = name.split()
    while words and words[0].lower() in _NOT_NAMES:
        words = words[1:]
    return " ".join(words)


def attributions(text: str) -> list[tuple[int, int, str]]:
    """Every attribution in ``text``: (start, end, name) of each match, in order of the name.

    ``start``/``end`` bound the whole attribution ("Shin Kak-soo, a former official, believes",
    "said Song", "according to Lee"), so a caller can tell what text lies before and after it.
    """
    found: list[tuple[int, int, int, str]] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            name = clean_name(m.group("name"))
            if pattern is _PATTERNS[1] and _subject_of_clause(text, m.end()):
                continue
            if name and name.split()[-1].lower() not in _NOT_NAMES:
                found.append((m.start("name"), m.start(), m.end(), name))
    return [(a, b, name) for _, a, b, name in sorted(found)]


def _subject_of_clause(text: str, end: int) -> bool:
    """After "said NAME" at ``end``: whether a verb follows, so NAME is what the clause is about."""
    m = re.match(r"\s+(\p{Ll}[\p{L}'’-]*)", text[end : end + 40])
    return bool(m) and m.group(1) not in _AFTER_INVERTED


def find_speakers(text: str) -> list[str]:
    """Names that ``text`` attributes speech to, in order of first appearance."""
    seen: dict[str, None] = {}
    for _, _, name in attributions(text):
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
            name = clean_name(m.group("name"))
            if name and name.lower() not in _NOT_NAMES:
                return name
    return ""


def bare_name(name: str) -> str:
    """``name`` without the titles or owner before it: "Defense Secretary Lloyd Austin" and
    "Finance Minister Clara Weiss" -> "Lloyd Austin", "Clara Weiss"; "Al Jazeera’s Rob McBride"
    -> "Rob McBride"."""
    words = re.split(r"['’]s\s+", name)[-1].split()
    titled = [i for i, w in enumerate(words[:-1]) if w.lower() in TITLES]
    return " ".join(words[titled[-1] + 1 :] if titled else words)


@functools.lru_cache(maxsize=1 << 16)
def name_parts(name: str) -> frozenset[str]:
    """Lower-cased parts of a name, titles left out, to match variants ("Ji-hwan Hwang" ~ "Hwang Ji-hwan").
    Cached: an archive names the same few thousand people in every index, table and search."""
    words = [w.lower() for w in re.split(r"\s+", name) if len(w) > 1]
    named = [w for w in words if w not in TITLES]
    return frozenset(named or words)


def same_person(a: str, b: str) -> bool:
    """True when two name strings plausibly refer to the same person.

    One name's parts must all appear in the other: "Shin" and "Shin Kak-soo", "Lloyd Austin"
    and "Defense Secretary Austin" ("Austin" once the title is gone) match; "Kim Yo Jong" and
    "Kim Jong Un", which share two of three parts, do not.
    """
    pa, pb = name_parts(a), name_parts(b)
    if not pa or not pb:
        return False
    return pa <= pb or pb <= pa


def is_organisation(name: str) -> bool:
    """Whether ``name`` names an organisation rather than a person: an institution's noun or a
    legal form in it ("Bank of Japan", "Eastman Kodak Co"), a leading "The" ("The Treasury"), or
    an acronym alone ("OPEC")."""
    words = name.split()
    if not words:
        return False
    if words[0] == "The" or (len(words) == 1 and len(words[0]) > 1 and words[0].isupper()):
        return True
    return any(w.lower().strip(".,'’") in ORGANISATION_WORDS for w in words)


_SENTENCE_END = '.!?…:;"”’)]'


_SPEECH_IN_LINE = re.compile(rf"[“”\"]|\b(?:{REPORTING_VERBS})\b")


def is_heading(line: str) -> bool:
    """Whether a line is a headline, a dateline or a caption rather than prose: a short line
    (at most 16 words) that does not end as a sentence does and reports no speech (no
    quotation mark, no lower-case "said"). Names in it never speak."""
    line = line.strip()
    short = bool(line) and len(line.split()) <= 16 and not line.endswith(tuple(_SENTENCE_END))
    return short and not _SPEECH_IN_LINE.search(line)
