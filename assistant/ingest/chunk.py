"""Stage 2: split an article into sentence-aligned chunks with exact offsets.

A chunk is a few consecutive sentences of one paragraph, so that a passage is
short enough for a small CPU model yet reads as a whole.  A chunk never ends
inside an open quotation when it can help it, and a chunk that continues a
quotation remembers who is speaking.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from assistant.ingest.attribution import find_speakers
from assistant.ingest.lexicon import PRONOUN_SPEECH
from assistant.ingest.load import Article

_ABBREV = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "gen",
    "sen",
    "rep",
    "gov",
    "lt",
    "col",
    "sgt",
    "st",
    "no",
    "vs",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "inc",
    "corp",
    "co",
    "ltd",
    "jr",
    "sr",
    "etc",
    "approx",
    "dept",
    "est",
    "fig",
    "vol",
    "u.s",
    "u.k",
    "u.n",
    "e.g",
    "i.e",
}
# A sentence ends at . ! ? … (and closing quotes) before a space, or at a full-width stop of
# scripts written without spaces (。！？), which needs none.
_BOUNDARY = re.compile(r"[.!?…]+[”\"’')\]]*\s+|[。！？]+[”」』）]*\s*")
_WORD_BEFORE = re.compile(r"((?:[^\W\d_]|\.)+)$")  # the letters and dots before a period
_ABBREV_WINDOW = 64
_OPEN_QUOTES = "“"
_QUOTE_START = re.compile(r"[“\"]")
_CLOSE_QUOTES = "”"


CHUNK_RULES_VERSION = "11"
"""Part of every chunk ID.  Bump it with any change to what chunks are made or what they carry
(boundaries, text, speakers: this module, :mod:`~assistant.ingest.attribution`,
:mod:`~assistant.ingest.lexicon`, :func:`embedding_text`), so that the next ``assistant index``
re-chunks every article instead of keeping stale chunks.  ``tests/unit/ingest/test_golden.py`` fails
when the chunks of its fixture change while this does not.  A comment or a refactor that
changes no chunk needs no bump, and re-embeds nothing."""


@dataclass
class Chunk:
    """A span of an article: ``article.text[start:end] == text``."""

    source: str
    start: int
    end: int
    text: str
    ordinal: int = 0
    speakers: list[str] = field(default_factory=list)
    continues_quote_of: str = ""

    @property
    def chunk_id(self) -> str:
        digest = hashlib.sha256(
            f"{CHUNK_RULES_VERSION}\x00{self.source}\x00{self.start}\x00{self.text}".encode()
        ).hexdigest()
        return digest[:24]


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period at ``dot`` ends an abbreviation such as "U.S." or "Nov."."""
    window = text[max(0, dot - _ABBREV_WINDOW) : dot]  # not text[:dot]: that made splitting quadratic
    m = _WORD_BEFORE.search(window)
    if not m or (m.start() == 0 and dot > _ABBREV_WINDOW):
        return False  # no word, or one longer than any abbreviation
    word = m.group(1).lower().rstrip(".")
    if word in _ABBREV:
        return True
    return bool(re.fullmatch(r"(?:[^\W\d_]\.)*[^\W\d_]", word))  # initials: "U.S", "J", "É"


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans inside ``text[start:end]``, split at paragraph breaks too."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+", text[start:end]):
        p0, p1 = start + para.start(), start + para.end()
        cursor = p0
        for m in _BOUNDARY.finditer(text, p0, p1):
            punct_end = m.start() + len(m.group(0).rstrip())
            if text[m.start()] == "." and _is_abbreviation(text, m.start()):
                continue
            if m.end() < p1 and text[m.end()].islower():
                continue  # "e.g. the", "approx. three": a lower-case word goes on the same sentence
            _append(text, spans, cursor, punct_end)
            cursor = m.end()
        _append(text, spans, cursor, p1)
    return spans


def _append(text: str, spans: list[tuple[int, int]], a: int, b: int) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        if spans and not any(ch.isalnum() for ch in text[a:b]):
            spans[-1] = (spans[-1][0], b)  # a stray closing quote or bracket belongs to the sentence before
        else:
            spans.append((a, b))


def _quote_open_after(text: str, a: int, b: int, was_open: bool) -> bool:
    """Whether a quotation is still open after ``text[a:b]``."""
    seg = text[a:b]
    opens = sum(seg.count(q) for q in _OPEN_QUOTES)
    closes = sum(seg.count(q) for q in _CLOSE_QUOTES)
    if opens or closes:
        return opens > closes or (was_open and opens == closes and seg.rfind("“") > seg.rfind("”"))
    if seg.count('"') % 2:
        return not was_open
    return was_open


def _group(
    text: str, sentences: list[tuple[int, int]], max_chars: int, hard_max: int
) -> tuple[list[list[tuple[int, int]]], dict[int, bool]]:
    """A paragraph's sentences in groups of at most ``max_chars`` (``hard_max`` while a quotation
    is open), a short last group joined to the one before; and, for each sentence start, whether
    a quotation is open there."""
    groups: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    quote_open = False
    open_before: dict[int, bool] = {}
    for s in sentences:
        open_before[s[0]] = quote_open
        limit = hard_max if quote_open else max_chars
        if current and s[1] - current[0][0] > limit:
            groups.append(current)
            current = []
        current.append(s)
        quote_open = _quote_open_after(text, s[0], s[1], quote_open)
    if not current:
        return groups, open_before
    short = current[-1][1] - current[0][0] < max_chars // 4
    if groups and short and current[-1][1] - groups[-1][0][0] <= hard_max:
        groups[-1].extend(current)
    else:
        groups.append(current)
    return groups, open_before


def _speaker(text: str, p0: int, a: int, b: int, quote_open: bool, last_speaker: str) -> tuple[list[str], str]:
    """Who speaks in ``text[a:b]`` (of the paragraph starting at ``p0``): the names it attributes
    speech to, else the speaker it continues (a quotation opened before it, or "he said" after
    the last person named)."""
    own = find_speakers(text[a:b])
    if own:
        return own, ""
    before = find_speakers(text[p0:a])
    if before and (quote_open or _QUOTE_START.match(text, a)):
        return own, before[-1]
    if last_speaker and PRONOUN_SPEECH.search(text, a, b):
        return own, last_speaker
    return own, ""


def chunk_article(article: Article, max_chars: int = 420) -> list[Chunk]:
    """Split an article into chunks of whole sentences, each within one paragraph."""
    text = article.text
    hard_max = int(max_chars * 2.2)
    chunks: list[Chunk] = []
    last_speaker = ""
    for r0, r1 in article.regions:
        for para in re.finditer(r"[^\n]+", text[r0:r1]):
            p0, p1 = r0 + para.start(), r0 + para.end()
            sentences = split_sentences(text, p0, p1)
            if not sentences or _is_noise(text[p0:p1]):
                continue
            groups, open_before = _group(text, sentences, max_chars, hard_max)
            for g in groups:
                a, b = g[0][0], g[-1][1]
                own, inherited = _speaker(text, p0, a, b, open_before[a], last_speaker)
                last_speaker = (own or [inherited or last_speaker])[-1]
                chunk = Chunk(article.source, a, b, text[a:b], speakers=own, continues_quote_of=inherited)
                chunks.append(chunk)
    for i, c in enumerate(chunks):
        c.ordinal = i
    return chunks


def _is_noise(paragraph: str) -> bool:
    """Lines like "-", "close" or "Leave a Response" carry nothing to retrieve."""
    words = re.findall(r"[^\W_]+", paragraph)
    return len(words) < 3 and len(paragraph) < 25


def embedding_text(title: str, chunk_text: str, quote_of: str = "") -> str:
    """What gets embedded: the passage with its headline (and speaker) as context."""
    parts = [title] if title else []
    if quote_of:
        parts.append(f"{quote_of} said:")
    parts.append(chunk_text)
    return "\n".join(parts)
