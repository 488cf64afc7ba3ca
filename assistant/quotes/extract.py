"""Who said what: every attributed quote of an article, with the exact span of its words.

A *quote* is either **direct** (words in quotation marks, attributed by a nearby "X said",
"said X", "according to X", or "he added" after X spoke) or **indirect** (reported speech
without quotation marks: "X said (that) …", "…, X told reporters", "According to X, …",
"In X's view, …").  Its ``start``/``end`` index :func:`~assistant.ingest.load.source_text`, so
``source_text(path)[start:end] == text`` holds for every quote, as for every citation.

The rules are plain regular expressions over English news prose (see
:mod:`assistant.ingest.attribution`); nothing here knows any article or name.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import regex as re

from assistant.ingest.attribution import (
    NAME,
    attributions,
    bare_name,
    clean_name,
    is_heading,
    is_organisation,
    name_parts,
)
from assistant.ingest.chunk import split_sentences
from assistant.ingest.lexicon import PRONOUN_SPEECH, REPORTING_VERBS, UNNAMED_SPEECH

MIN_WORDS = 4
"""Quoted text shorter than this is a term in quotation marks (“linchpin”), not speech."""

# Verbs that report what someone said in a clause of their own ("X said the talks …").
_REPORTING = re.compile(rf"\b(?:{REPORTING_VERBS})\b")
# "…, Wang told reporters." / "…, spokesperson Ned Price said": the lead ends at a comma that
# only a few lower-case words (a title) separate from the name.
_LEAD_END = re.compile(r",(?:\s+\p{Ll}[\p{L}-]*){0,3}\s*$")
_TAIL_MAX_WORDS = 6  # "told the Global Times on Thursday": what may follow such a name
_INVERTED_CUE = re.compile(rf"(?:{REPORTING_VERBS})\s+\p{{Lu}}")  # "said Andrew Sheaf": the verb first
_IN_VIEW = re.compile(rf"\b[Ii]n (?P<name>{NAME})['’]s? (?:view|opinion|words|assessment|judgment|judgement),\s*")
_ACCORDING = re.compile(rf"\b[Aa]ccording to (?:the\s+)?{NAME}[^,.]{{0,120}},\s*")
# "Ortiz put it plainly: “…”" / "Said Ortiz: “…”": a name, a few words, a colon, a quotation.
_COLON = re.compile(rf"(?P<name>{NAME})[^.:;“”\"]{{0,60}}:\s*(?=[“\"])")
_THAT = re.compile(r"[^.;:“”\"]{0,100}?\bthat\s+")
# A quotation: “…” (closed by ”, by a mistyped “ before the paragraph's end, or left open to
# the end of the paragraph, as news style does when the quote runs on), or "…".
_QUOTED = re.compile(r"“(?P<a>[^“”]*)(?:”|“(?=[\s.,;:!?]*$)|$)|\"(?P<b>[^\"\n]*)(?:\"|$)")
_TRIM = " \t,;:—–-"
_NAME_RE = re.compile(NAME)


@dataclass(frozen=True)
class Quote:
    """Words attributed to a speaker: ``text == article_text[start:end]``."""

    speaker: str
    start: int
    end: int
    text: str
    kind: str  # "direct" or "indirect"


def _trimmed(text: str, a: int, b: int) -> tuple[int, int]:
    """``(a, b)`` without surrounding spaces, separators and a trailing full stop."""
    while a < b and text[a] in _TRIM:
        a += 1
    while b > a and text[b - 1] in _TRIM + ".":
        b -= 1
    return a, b


def _enough(text: str) -> bool:
    return len(re.findall(r"[\p{L}\p{N}]+", text)) >= MIN_WORDS


@dataclass
class _Cue:
    start: int
    end: int
    name: str  # "" for a pronoun: the last person named


def _cues(frame: str, offset: int) -> list[_Cue]:
    """Attributions in ``frame`` (a paragraph with quoted words blanked), at article offsets."""
    cues = [_Cue(offset + a, offset + b, n) for a, b, n in attributions(frame)]
    cues += [_Cue(offset + m.start(), offset + m.end(), m.group("name")) for m in _IN_VIEW.finditer(frame)]
    cues += [_Cue(offset + m.start(), offset + m.end(), "") for m in PRONOUN_SPEECH.finditer(frame)]
    cues += [
        _Cue(offset + m.start(), offset + m.end(), m.group("name"))
        for m in _COLON.finditer(frame)
        # "… faced by Qatar, he said:" is his; "Asked about …, he replied:" names nobody
        if clean_name(m.group("name")) and not PRONOUN_SPEECH.search(frame, m.end("name"), m.end())
    ]
    return sorted(cues, key=lambda c: c.start)


def _blank(paragraph: str, spans: list[tuple[int, int]]) -> str:
    """``paragraph`` with the given spans replaced by spaces (offsets unchanged)."""
    chars = list(paragraph)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


class _Speakers:
    """Who an article has named so far, and who spoke last: resolves a cue to its speaker."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.last = ""  # the last person named as speaking
        self.last_at = 0  # where that was
        headings = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if is_heading(m.group(0))]
        starts = [a for a, _ in headings]

        def in_heading(pos: int) -> bool:
            i = bisect.bisect_right(starts, pos) - 1
            return i >= 0 and pos < headings[i][1]

        # Names in headlines and datelines are not people who speak ("Reagan Admits Iran Arms").
        self.mentions = [
            (m.start(), bare_name(m.group(0))) for m in _NAME_RE.finditer(text) if not in_heading(m.start())
        ]
        self.unnamed = [m.end() for m in UNNAMED_SPEECH.finditer(text)]

    def of(self, cue: _Cue) -> str:
        """The cue's name in the fullest form the article gave it so far ("Shin" -> "Shin
        Kak-soo"); a pronoun's is the last speaker's.  A lone word after "according to" with
        no fuller form ("according to Yonhap") names a source, not a speaker: ``""``."""
        if not cue.name:  # "he said": the last person who spoke, else the last person's full name
            if self.unnamed_since(cue.start):
                return ""  # "…, an official said. He added …": the unnamed source speaks on
            if self.last and not is_organisation(self.last):
                return self.last
            named = [n for pos, n in self.mentions if pos < cue.start and len(name_parts(n)) > 1]
            people = [n for n in named if not is_organisation(n)]
            return people[-1] if people else ""
        name = bare_name(cue.name)
        parts = name_parts(name)
        fuller = [n for pos, n in self.mentions if pos < cue.end and parts < name_parts(n)]
        if fuller:
            return fuller[-1]
        if len(name.split()) == 1 and re.match(r"[Aa]ccording", self.text[cue.start : cue.end]):
            return ""
        return name

    def unnamed_since(self, until: int) -> bool:
        """Whether an unnamed source ("an official said") spoke after the last named speaker."""
        return any(self.last_at <= u <= until for u in self.unnamed)

    def spoke(self, who: str, at: int) -> None:
        """Remember ``who`` as the last speaker, at offset ``at``."""
        self.last, self.last_at = who, at


def _nearest(text: str, cues: list[_Cue], a: int, b: int, frame: str, p0: int) -> _Cue | None:
    """The cue closest to the quote ``[a, b)``; one in the same sentence wins."""

    ends_sentence = bool(re.search(r"[.!?][”\"]?$", text[a:b]))

    def cost(c: _Cue) -> int:
        lo, hi = (c.end, a) if c.end <= a else (b, c.start) if c.start >= b else (a, a)
        gap = frame[lo - p0 : hi - p0]
        new_sentence = re.search(r"[.!?]\s", gap) or (
            c.start >= b and ends_sentence and text[c.start : c.start + 1].isupper()
        )
        return (1000 if new_sentence else 0) + (hi - lo)

    return min(cues, key=cost, default=None)


class _Extractor:
    """Walks an article paragraph by paragraph, collecting its quotes (``who`` remembers who spoke)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.who = _Speakers(text)
        self.quotes: list[Quote] = []
        self.run: list[tuple[int, int, str]] = []  # quotations whose speaker may come later
        self.run_start_quoted = False

    def reports(self, cue: _Cue) -> bool:
        """The cue's verb reports a clause of speech ("said", "told", "pointed out")."""
        return bool(_REPORTING.search(self.text, cue.start, cue.end))

    def add(self, speaker: str, a: int, b: int, kind: str) -> None:
        a, b = _trimmed(self.text, a, b)
        if speaker and b > a and _enough(self.text[a:b]):
            self.quotes.append(Quote(speaker, a, b, self.text[a:b], kind))

    def paragraph(self, p0: int, p1: int) -> None:
        """The quotations of one paragraph, then its reported speech.  A quotation left open at
        a paragraph's end runs on when the next paragraph opens with a quotation mark (news
        style); every part of such a run is the words of the one speaker its cue names."""
        para = self.text[p0:p1]
        if is_heading(para):
            return  # a headline or a dateline reports nobody's words
        quoted = [
            (m.start(), m.end(), m.start("a" if m.group("a") is not None else "b")) for m in _QUOTED.finditer(para)
        ]
        quoted = [(a, b, inner) for a, b, inner in quoted if _enough(para[inner:b])]
        frame = _blank(para, [(inner, b) for _, b, inner in quoted])
        cues = _cues(frame, p0)
        starts_quoted = bool(quoted) and not para[: quoted[0][0]].strip()
        if not (starts_quoted and self.run):
            self._close_run()
        for a, b, inner in quoted:
            cue = _nearest(self.text, cues, p0 + a, p0 + b, frame, p0)
            end = b - 1 if b > inner and para[b - 1] in '”"“' else b  # a mistyped closing “ too
            self.run.append((p0 + inner, p0 + end, self.who.of(cue) if cue else ""))
            if not self.run_start_quoted and len(self.run) == 1:
                self.run_start_quoted = starts_quoted
            if end == b:  # left open at the paragraph's end: the run may go on
                continue
            self._close_run()
        self._indirect(p0, p1, cues, quoted)

    def _close_run(self) -> None:
        """Attribute the quotations collected since the last closed one."""
        named = [who for _, _, who in self.run if who]
        fallback = named[-1] if named else (self.who.last if self.run_start_quoted else "")
        if not named and self.run and self.who.unnamed_since(self.run[-1][1] + 60):
            fallback = ""  # “…,” the study said: an unnamed source's words
        for a, b, who in self.run:
            self.add(who or fallback, a, b, "direct")
        if named or (self.run and fallback):
            self.who.spoke(named[-1] if named else fallback, self.run[-1][1])
        self.run, self.run_start_quoted = [], False

    def _indirect(self, p0: int, p1: int, cues: list[_Cue], quoted: list[tuple[int, int, int]]) -> None:
        """Reported speech in the sentences of the paragraph that quote nothing."""
        for s0, s1 in split_sentences(self.text, p0, p1):
            inside = [p0 + a for a, b, _ in quoted if p0 + a < s1 and p0 + b > s0]
            own = [c for c in cues if s0 <= c.start < s1]
            if inside:  # "X told VOA that …, “…”": only the reported words before the quotation
                own = [c for c in own if c.end < inside[0]]
                s1 = inside[0] if own and self.reports(own[0]) else s0
            for cue in own[:1] if s1 > s0 else []:
                who = self.who.of(cue)
                lead = self.text[s0 : cue.start]
                comma = _LEAD_END.search(lead)
                tail = re.findall(r"[\p{L}\p{N}]+", self.text[cue.end : s1])
                # "…, said Andrew Sheaf, general manager of …": the words after an inverted
                # attribution describe the speaker; what they said is the lead.
                inverted = bool(_INVERTED_CUE.match(self.text, cue.start)) and self.text[cue.end : s1].startswith(",")
                if (
                    comma
                    and not inside
                    and _enough(lead[: comma.start()])
                    and (len(tail) <= _TAIL_MAX_WORDS or inverted)
                ):
                    self.add(who, s0, s0 + comma.start(), "indirect")  # "…, Wang Junsheng told the Global Times."
                elif inverted:
                    pass  # no clause of speech after the name
                elif m := _IN_VIEW.match(self.text, cue.start) or _ACCORDING.match(self.text, cue.start):
                    self.add(who, m.end(), s1, "indirect")
                elif self.reports(cue):
                    that = _THAT.match(self.text, cue.end, s1)
                    self.add(who, that.end() if that else cue.end, s1, "indirect")
                if who:
                    self.who.spoke(who, cue.end)


def extract_quotes(text: str, regions: list[tuple[int, int]] | None = None) -> list[Quote]:
    """Every attributed quote of an article's text (within ``regions``, default all of it)."""
    ex = _Extractor(text)
    for r0, r1 in regions or [(0, len(text))]:
        for para in re.finditer(r"[^\n]+", text[r0:r1]):
            ex.paragraph(r0 + para.start(), r0 + para.end())
        ex._close_run()
    return sorted(ex.quotes, key=lambda q: q.start)
