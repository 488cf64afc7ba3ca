"""The shown answer: the text and the citations of a decision, and the sides of a conflict."""

from __future__ import annotations

import re
from typing import Any

from assistant.answer.citations import render
from assistant.answer.conflicts import Conflict
from assistant.answer.evidence import Evidence, span_fields
from assistant.answer.generate import not_found_sentence
from assistant.answer.marks import WORD, merge, shared_phrases
from assistant.answer.refusal import Decision, Features, support_score
from assistant.answer.result import Citation
from assistant.config import read_prompt
from assistant.ingest.attribution import question_speaker
from assistant.ingest.chunk import split_sentences
from assistant.policy import Policy
from assistant.store.bm25 import number_word


def compose(
    f: Features, d: Decision, evidence: list[Evidence], question: str, policy: Policy
) -> tuple[str, list[Citation]]:
    """The answer text and its citations for a decision (also replayed by the calibration)."""
    citations: list[Citation] = []
    if d.method == "generated":
        # The reader sees markers numbered 1, 2, 3 in order of first appearance, whatever
        # numbers the evidence had; each citation still points at its own span.
        number: dict[int, int] = {}
        for _, ms in d.kept:
            for m in ms:
                number.setdefault(m, len(number) + 1)
        answer = render([f.sentences[i].text for i, _ in d.kept], [[number[m] for m in ms] for _, ms in d.kept])
        for i, ms in d.kept:
            for m in ms:
                if all(c.marker != number[m] for c in citations):
                    score = support_score(f.sentences[i].agreements[m - 1], policy)
                    verdict = {"verdict": "supported", "score": round(score, 3)}
                    citations.append(Citation(marker=number[m], support=verdict, **span_fields(evidence[m - 1])))
        shown = spelled_out(answer, citations)
        for c in citations:
            said = [f.sentences[i].text for i, ms in d.kept if any(number[m] == c.marker for m in ms)]
            c.marks = _marks([shown] if shown != answer else said, c)
        return shown, citations
    if d.method == "extracted":
        e = evidence[d.quote - 1]
        speaker = question_speaker(question) or e.speaker
        quote = " ".join(e.text.split())
        answer = read_prompt("quote_answer").strip().format(speaker=speaker, quote=quote, n=1)
        verdict = {"verdict": "quoted", "score": round(1 - f.question.missing_share([e.n - 1]), 3)}
        return answer, [Citation(marker=1, support=verdict, marks=[{"start": e.start, "end": e.end}], **span_fields(e))]
    return not_found_sentence(), []


_MARKER = re.compile(r"\[\d+\]")


def answer_words(answer: str) -> list[str]:
    """The words of an answer, its markers left out."""
    return WORD.findall(_MARKER.sub(" ", answer))


def bare_fragment(answer: str) -> bool:
    """The answer's content is only a name or a number ("Israel [1]", "1 [1]", "five [2]"): three
    words or fewer, none of them a lower-case word longer than three letters but a number word."""
    words = answer_words(answer)
    return len(words) <= 3 and not any(w.islower() and len(w) > 3 and number_word(w) == w for w in words)


def spelled_out(answer: str, citations: list[Citation]) -> str:
    """A bare fragment ("Brussels [1]") shown with the sentence of its cited span that holds it,
    so that the reader sees what the article states; any other answer unchanged."""
    if len(citations) != 1 or not bare_fragment(answer):
        return answer  # two cited fragments would lose one; they stay as written
    cited = citations[0]
    fragment = _MARKER.sub(" ", answer).strip().rstrip(".").strip()
    sentences = (cited.text[a:b] for a, b in split_sentences(cited.text))
    whole = re.compile(rf"(?<![^\W_]){re.escape(fragment)}(?![^\W_])", re.IGNORECASE)  # "1" is not in "2019"
    sentence = next((x for x in sentences if whole.search(x)), None)
    if not fragment or sentence is None:
        return answer
    template = read_prompt("fragment_answer").strip()
    return template.format(fragment=fragment, sentence=" ".join(sentence.split()), n=cited.marker)


def _marks(sentences: list[str], c: Citation) -> list[dict[str, int]]:
    spans = merge(p for s in sentences for p in shared_phrases(s, c.text, c.start))
    return [{"start": a, "end": b} for a, b in spans]


def _short(title: str, limit: int = 60) -> str:
    """``title`` cut at a word boundary to about ``limit`` characters."""
    return title if len(title) <= limit else title[:limit].rsplit(" ", 1)[0] + "…"


def report_conflicts(
    answer: str, citations: list[Citation], conflicts: list[Conflict]
) -> tuple[str, list[dict[str, Any]]]:
    """``answer`` with a sentence naming each side of each conflict, cited; ``citations`` gains
    the sides' spans (a span already cited keeps its marker).  Returns the answer and the
    conflicts as JSON, each side with its marker."""
    reported: list[dict[str, Any]] = []
    if not conflicts:
        return answer, reported
    template, side_template = read_prompt("conflict").strip(), read_prompt("conflict_side").strip()
    for conflict in conflicts:
        parts, sides = [], []
        for side in conflict.sides:
            marker = next(
                (c.marker for c in citations if c.path == side.path and c.start <= side.start and side.end <= c.end), 0
            )
            if not marker:
                marker = len(citations) + 1
                verdict = {"verdict": "value", "score": side.relevance}
                citations.append(Citation(marker=marker, support=verdict, **span_fields(side)))
            where = ", ".join(x for x in (side.publisher or _short(side.title or side.source), side.date) if x)
            parts.append(side_template.format(value=side.value, where=where, n=marker))
            span = {k: v for k, v in span_fields(side).items() if k != "path"}
            sides.append({"value": side.value, "marker": marker} | span)
        statement = template.format(sides="; ".join(parts))
        answer = f"{answer}\n\n{statement}" if answer else statement
        reported.append({"kind": conflict.kind, "sides": sides})
    return answer, reported


def marker_checks(f: Features, d: Decision) -> dict[str, int]:
    """How the model's own markers fared: kept, dropped, added by the check, sentences removed."""
    written = sum(len(s.markers) for s in f.sentences)
    kept = sum(len(set(ms) & set(f.sentences[i].markers)) for i, ms in d.kept)
    return {
        "kept": kept,
        "dropped": written - kept,
        "added": sum(len(set(ms) - set(f.sentences[i].markers)) for i, ms in d.kept),
        "removed_sentences": len(d.removed),
    }


def shown(
    f: Features, d: Decision, evidence: list[Evidence], question: str, conflicts: list[Conflict], policy: Policy
) -> dict[str, Any]:
    """What the reader is shown for a decision, as :class:`~assistant.answer.result.AnswerResult`
    fields: the answer with its citations, its status and method, and what was removed."""
    answer, citations = compose(f, d, evidence, question, policy)
    visible = d.status in ("answered", "uncertain")
    if d.status == "uncertain":
        note = read_prompt("uncertain_note").strip().format(markers=" ".join(f"[{c.marker}]" for c in citations))
        answer = f"{answer}\n\n{note}"
    answer, reported = report_conflicts(answer if visible else "", citations, conflicts)
    return {
        "answer": answer or not_found_sentence(),
        "status": d.status if visible else "answered" if reported else d.status,
        "method": d.method if visible or not reported else "conflict",
        "reason": d.reason,
        "citations": citations,
        "removed": [{"sentence": f.sentences[i].text, "why": why} for i, why in d.removed],
        "checks": marker_checks(f, d),
        "conflicts": reported,
    }


def offered_quotes(question: str, retriever: Any, max_bytes: int, filters: Any = None) -> list[dict[str, Any]]:
    """For "What did X say about Y?" left unanswered: what X is quoted saying at all (within ``filters``)."""
    from assistant.quotes.people import quotes_of

    speaker = question_speaker(question)
    if not speaker:
        return []
    paths = retriever.speaker_paths(speaker, filters)
    return [q.to_json() for q in quotes_of(speaker, paths, max_bytes=max_bytes)]
