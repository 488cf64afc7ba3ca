"""What an answer is made of: its citations, the result, and the one way to read a stream."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.answer.evidence import Evidence, Span
from assistant.answer.refusal import Features
from assistant.ingest.load import page_at
from assistant.retrieve.retriever import Passage


@dataclass
class Citation(Span):
    """A checked citation marker, the exact span it points to, and the support check's verdict."""

    marker: int = 0
    support: dict[str, Any] = field(default_factory=dict)
    marks: list[dict[str, int]] = field(default_factory=list)
    """The words of the span that the answer states, as exact ``{start, end}`` source offsets
    (:mod:`assistant.answer.marks`)."""


@dataclass(frozen=True)
class Retrieved:
    """Sent in the answer stream as soon as retrieval is done, before the first token."""

    passages: list[Passage]


@dataclass
class AnswerResult:
    """The full result of one question."""

    question: str
    answer: str
    status: str
    citations: list[Citation]
    retrieved: list[Passage]
    model: str
    timings_ms: dict[str, float]
    standalone_question: str = ""
    method: str = "not_found"
    reason: str = ""
    removed: list[dict[str, str]] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    checks: dict[str, int] = field(default_factory=dict)
    features: Features | None = None
    raw_answer: str = ""
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    speaker_quotes: list[dict[str, Any]] = field(default_factory=list)
    confidence: float = 0.0
    """The learned probability that the answer is right (:mod:`assistant.answer.confidence`);
    0 when nothing was found to answer with."""

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "status": self.status,
            "confidence": self.confidence,
            "method": self.method,
            "reason": self.reason,
            "citations": [
                {k: v for k, v in asdict(c).items() if k != "path"} | {"page": page_at(c.path or c.source, c.start)}
                for c in self.citations
            ],
            "removed": self.removed,
            "retrieved": [p.to_json() for p in self.retrieved],
            "model": self.model,
            "timings_ms": self.timings_ms,
            "standalone_question": self.standalone_question,
            "citation_checks": self.checks,
            "conflicts": self.conflicts,
            "speaker_quotes": self.speaker_quotes,
        }


class StreamReader:
    """The one way to read :meth:`Answerer.stream`: iterate for the tokens, then take the result.

    >>> reader = StreamReader(answerer.stream(question))  # doctest: +SKIP
    >>> for token in reader: print(token, end="")  # doctest: +SKIP
    >>> result = reader.finish()  # doctest: +SKIP

    When retrieval is done, ``retrieved`` is set and an empty token is yielded, so that a
    page can show the passages before the first word of the answer.
    """

    def __init__(self, items: Iterable[str | Retrieved | AnswerResult]) -> None:
        self._items = iter(items)
        self.text = ""  # the tokens so far
        self.retrieved: list[Passage] | None = None
        self.result: AnswerResult | None = None

    def __iter__(self) -> Iterator[str]:
        for item in self._items:
            if isinstance(item, AnswerResult):
                self.result = item
            elif isinstance(item, Retrieved):
                self.retrieved = item.passages
                yield ""
            else:
                self.text += item
                yield item

    def finish(self) -> AnswerResult:
        """Read what is left and return the checked result."""
        for _ in self:
            pass
        if self.result is None:
            raise RuntimeError("the answer stream ended without a result")
        return self.result
