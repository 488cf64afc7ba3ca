"""Citations: an answer's sentences, the markers the model wrote, and how each span supports them.

:func:`measure_sentences` measures every answer sentence against every evidence span
(:func:`assistant.answer.support.agreement`); which citations survive is decided later, by the
refusal policy (:func:`assistant.answer.refusal.decide`), so that a calibration run can replay
the decision under other thresholds.  :func:`render` writes the surviving sentences back
with their checked markers.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.answer.evidence import Evidence
from assistant.answer.support import Agreement, agreement
from assistant.ingest.chunk import split_sentences

# [1], [12], and lists such as [1, 2] or [1;3]; every number in them is checked.
MARKER_RE = re.compile(r"\s*\[\s*(\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\s*\]")
_END = re.compile(r"[.!?…]+[”\"’)]*$")


@dataclass
class SentenceCheck:
    """One answer sentence, the markers the model gave it, and each span's agreement with it."""

    text: str
    markers: list[int] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "markers": self.markers, "agreements": [a.to_json() for a in self.agreements]}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SentenceCheck:
        return cls(d["text"], list(d["markers"]), [Agreement(**a) for a in d["agreements"]])


def split_answer(answer: str) -> list[tuple[str, list[int]]]:
    """The answer's sentences without markers, each with the marker numbers written in it."""
    out = []
    for a, b in split_sentences(answer):
        raw = answer[a:b]
        markers = [int(n) for group in MARKER_RE.findall(raw) for n in re.split(r"\s*[,;]\s*", group)]
        plain = re.sub(r"\s+", " ", MARKER_RE.sub("", raw)).strip()
        if plain:
            out.append((plain, list(dict.fromkeys(markers))))
    return out


def context_of(e: Evidence) -> str:
    """What a reader sees around a span besides its words: the article's title, the speaker and
    the publication date, also written out ("2021-03-03" as "March 3, 2021") so that an answer
    dating a "Wednesday" in the span by the article's date is checked in either spelling."""
    return f"{e.title}\n{e.speaker}\n{e.date}\n{_spelled_date(e.date)}"


def _spelled_date(iso: str) -> str:
    try:
        d = datetime.date.fromisoformat(iso[:10])
    except ValueError:
        return ""
    return f"{d:%B} {d.day}, {d.year}"


def measure_sentences(
    answer: str, evidence: list[Evidence], embedder: Any, idf: Callable[[str], float], leads: list[str] | None = None
) -> list[SentenceCheck]:
    """Every sentence of ``answer`` measured against every span of ``evidence``; ``leads[j]`` is
    the passage text before span j (where the names its pronouns refer to are)."""
    parts = split_answer(answer)
    if not parts:
        return []
    if not evidence:
        return [SentenceCheck(text, markers) for text, markers in parts]
    ev = np.asarray(embedder.embed_documents([e.text for e in evidence]))
    sv = np.asarray(embedder.embed_documents([text for text, _ in parts]))
    cos = sv @ ev.T
    return [
        SentenceCheck(
            text,
            markers,
            [
                agreement(text, e.text, context_of(e), cos[i, j], idf, leads[j] if leads else "")
                for j, e in enumerate(evidence)
            ],
        )
        for i, (text, markers) in enumerate(parts)
    ]


def render(sentences: list[str], markers: list[list[int]]) -> str:
    """Sentences joined, each with its markers placed before its final punctuation."""
    out = []
    for text, ms in zip(sentences, markers, strict=True):
        m = _END.search(text)
        body, tail = (text[: m.start()], text[m.start() :]) if m else (text, "")
        out.append(body + "".join(f" [{n}]" for n in ms) + tail)
    return " ".join(out).strip()
