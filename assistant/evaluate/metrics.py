"""Evaluation: retrieval and answer metrics over a JSON-lines question set.

Dataset line format (see docs/evaluation.md)::

    {"id": "q01", "question": "...", "history": [...]?,
     "support": ["text that must appear in a retrieved or cited passage", ...],
     "facts": [["alternative", "alternative"], ["another required fact"]],
     "kind": "factual" | "unanswerable" | "conflict" | "follow-up"}
"""

from __future__ import annotations

import json
import re
import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import UserError
from assistant.ingest.load import source_text

KINDS = ("factual", "unanswerable", "conflict", "follow-up")


@dataclass
class Example:
    """One evaluation question."""

    id: str
    question: str
    support: list[str] = field(default_factory=list)
    facts: list[list[str]] = field(default_factory=list)
    kind: str = "factual"
    history: list[dict[str, str]] = field(default_factory=list)


def load_dataset(path: Path) -> list[Example]:
    """Read and validate a dataset; raise :class:`UserError` on a bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read dataset {path}: {exc}") from None
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            if not isinstance(d, dict):
                raise UserError(f"{path}:{n}: each line must be a JSON object, got {type(d).__name__}")
            ex = Example(
                id=str(d.get("id", n)),
                question=d["question"],
                support=list(d.get("support", [])),
                facts=[list(g) for g in d.get("facts", [])],
                kind=d.get("kind", "factual"),
                history=list(d.get("history", [])),
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise UserError(f"{path}:{n}: bad dataset line ({exc})") from None
        if ex.kind not in KINDS:
            raise UserError(f"{path}:{n}: kind must be one of {', '.join(KINDS)}")
        out.append(ex)
    if not out:
        raise UserError(f"dataset {path} has no questions")
    return out


# --- metric functions (pure, unit-tested) ----------------------------------


def _norm(s: str) -> str:
    return " ".join(s.lower().replace("’", "'").replace("“", '"').replace("”", '"').split())


def support_target(support: str, facts: Sequence[Sequence[str]] = ()) -> str:
    """What a passage must hold to count as holding ``support``, normalised.

    A passage or a citation never crosses a paragraph break, so a support string that does
    (some data sets cut a window around the answer) is matched by its paragraph segment that
    holds one of the ``facts`` alternatives, else by its longest segment."""
    if "\n" not in support:
        return _norm(support)
    segments = [seg.strip() for seg in support.split("\n") if seg.strip()]
    with_fact = [seg for seg in segments if any(_norm(a) in _norm(seg) for g in facts for a in g)]
    return _norm(max(with_fact or segments, key=len))


def supported(support: Sequence[str], texts: Sequence[str], facts: Sequence[Sequence[str]] = ()) -> bool:
    """Every support string appears in at least one of ``texts``."""
    normed = [_norm(t) for t in texts]
    return bool(support) and all(any(support_target(s, facts) in t for t in normed) for s in support)


def first_hit_rank(support: Sequence[str], texts: Sequence[str], facts: Sequence[Sequence[str]] = ()) -> int:
    """1-based rank of the first text holding any support string; 0 when none does."""
    targets = [support_target(s, facts) for s in support]
    for rank, t in enumerate(texts, 1):
        if any(x in _norm(t) for x in targets):
            return rank
    return 0


def cites_support(support: Sequence[str], facts: Sequence[Sequence[str]], cited: Sequence[str]) -> bool:
    """Some cited text holds some support string: the citation points at the answer."""
    return first_hit_rank(support, cited, facts) > 0


def _norm_answer(s: str) -> str:
    """Answer text normalised as the SQuAD evaluation does: lower case, punctuation and the
    articles a/an/the removed, whitespace folded (so "a military coup d'état" and "The military
    coup d’état" match, and so do "A, B and C" and "A, B, and C")."""
    s = unicodedata.normalize("NFKC", s.lower()).replace("’", "'")
    s = "".join(" " if unicodedata.category(ch).startswith("P") and ch != "'" else ch for ch in s)
    s = re.sub(r"\b(?:a|an|the)\b", " ", s)
    return " ".join(s.split())


def facts_present(facts: Sequence[Sequence[str]], answer: str) -> bool:
    """Every fact group has at least one alternative in ``answer`` (after :func:`_norm_answer`)."""
    a = _norm_answer(answer)
    return all(any(_norm_answer(alt) in a for alt in group) for group in facts)


def sides_cited(facts: Sequence[Sequence[str]], cited: Sequence[str]) -> bool:
    """Every fact group (one per side of a disagreement) is in some cited text."""
    return all(any(facts_present([group], text) for text in cited) for group in facts)


def offsets_valid(citations: Sequence[dict[str, Any]], read=source_text) -> bool:
    """Every citation's text equals its source's ``[start:end]`` (:func:`assistant.ingest.load.source_text`)."""
    cache: dict[str, str] = {}
    for c in citations:
        path = c.get("path") or c["source"]
        if path not in cache:
            try:
                cache[path] = read(path)
            except OSError:
                return False
        if cache[path][c["start"] : c["end"]] != c["text"]:
            return False
    return True


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    if len(values) == 1:
        return float(values[0])
    return (
        float(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1])
        if 0 < q < 100
        else float(min(values) if q <= 0 else max(values))
    )


# --- runners ---------------------------------------------------------------


def evaluate_retrieval(examples: Sequence[Example], retriever: Any, k: int) -> dict[str, Any]:
    """hit@k, MRR and mean context characters over the answerable questions."""
    from assistant.answer.condense import condense

    hits, rr, chars, misses = [], [], [], []
    for ex in examples:
        if ex.kind == "unanswerable":
            continue
        passages = retriever.search(condense(ex.question, ex.history), k)
        texts = [p.text for p in passages]
        hit = supported(ex.support, texts, ex.facts)
        rank = first_hit_rank(ex.support, texts, ex.facts)
        hits.append(hit)
        rr.append(1.0 / rank if rank else 0.0)
        chars.append(sum(len(t) for t in texts))
        if not hit:
            misses.append({"id": ex.id, "question": ex.question, "support": ex.support})
    n = len(hits) or 1
    return {
        "questions": len(hits),
        "k": k,
        f"hit@{k}": round(sum(hits) / n, 3),
        "mrr": round(sum(rr) / n, 3),
        "mean_context_chars": round(sum(chars) / n, 1),
        "retrieval_misses": misses,
    }


def curve(conf: list[float], right: list[bool]) -> list[tuple[float, float]]:
    """(coverage, risk) at every coverage, most confident first.  Questions of equal confidence
    are taken in no particular order: within a tie the wrong ones count in proportion, so a
    policy that only says yes or no is scored by its expectation, not by the order of its ties."""
    order = sorted(range(len(conf)), key=lambda i: -conf[i])
    out: list[tuple[float, float]] = []
    wrong_before, start = 0.0, 0
    while start < len(order):
        end = start
        while end < len(order) and conf[order[end]] == conf[order[start]]:
            end += 1
        tie_wrong = sum(not right[i] for i in order[start:end])
        for k in range(1, end - start + 1):
            n = start + k
            out.append((n / len(order), (wrong_before + tie_wrong * k / (end - start)) / n))
        wrong_before += tie_wrong
        start = end
    return out


def aurc(conf: list[float], right: list[bool]) -> float:
    """Area under the risk–coverage curve (:func:`curve`): the mean, over every coverage, of the
    error rate among the questions answered at that coverage."""
    pts = curve(conf, right)
    return sum(r for _, r in pts) / max(1, len(pts))


def evaluate_answers(examples: Sequence[Example], answerer: Any, k: int, progress=None) -> dict[str, Any]:
    """Answer accuracy, citation support and validity, refusals and latency."""
    correct, support_ok, valid, refused_ok, false_refusals, false_conflicts = [], [], [], [], 0, 0
    ttft, total, misses = [], [], []
    by_method: dict[str, dict[str, int]] = {}
    answerable = [ex for ex in examples if ex.kind != "unanswerable"]
    states = {s: {"answerable": 0, "unanswerable": 0, "right": 0} for s in ("answered", "uncertain", "not_found")}
    confidence, right = [], []
    for n, ex in enumerate(examples, 1):
        r = answerer.answer(ex.question, ex.history, k)
        shown_right = ex.kind != "unanswerable" and r.status != "not_found" and facts_present(ex.facts, r.answer)
        state = states.setdefault(r.status, {"answerable": 0, "unanswerable": 0, "right": 0})
        state["unanswerable" if ex.kind == "unanswerable" else "answerable"] += 1
        state["right"] += shown_right
        confidence.append(getattr(r, "confidence", float(r.status == "answered")))
        right.append(shown_right)
        cits = [
            {"source": c.source, "path": c.path, "start": c.start, "end": c.end, "text": c.text} for c in r.citations
        ]
        if cits:
            valid.append(offsets_valid(cits))
        ttft.append(r.timings_ms["first_token"])
        total.append(r.timings_ms["total"])
        if ex.kind == "unanswerable":
            ok = r.status == "not_found"
            refused_ok.append(ok)
        else:
            ok = r.status == "answered" and facts_present(ex.facts, r.answer)
            if ex.kind == "conflict":  # every side named and cited
                ok = ok and bool(getattr(r, "conflicts", [])) and sides_cited(ex.facts, [c.text for c in r.citations])
            correct.append(ok)
            m = by_method.setdefault(getattr(r, "method", r.status), {"answers": 0, "correct": 0})
            m["answers"] += 1
            m["correct"] += ok
            if r.status == "not_found":
                false_refusals += 1
            if ex.support:
                support_ok.append(cites_support(ex.support, ex.facts, [c.text for c in r.citations]))
        false_conflicts += ex.kind != "conflict" and bool(getattr(r, "conflicts", []))
        if not ok:
            misses.append({"id": ex.id, "question": ex.question, "status": r.status, "answer": r.answer})
        if progress:
            progress(f"[{n}/{len(examples)}] {'ok  ' if ok else 'miss'} {ex.id} {r.timings_ms['total']:.0f} ms")
    return {
        "questions": len(examples),
        "answer_accuracy": round(sum(correct) / max(1, len(correct)), 3),
        "citation_support": round(sum(support_ok) / max(1, len(support_ok)), 3),
        "citation_offsets_valid": round(sum(valid) / len(valid), 3) if valid else "n/a (no citations)",
        "refusal_accuracy": round(sum(refused_ok) / max(1, len(refused_ok)), 3),
        "answered_right": f"{states['answered']['right']}/{states['answered']['answerable'] + states['answered']['unanswerable']}",
        "states": states,
        "aurc": round(aurc(confidence, right), 4),
        "false_refusals": false_refusals,
        "conflicts_found": f"{sum(ok for ex, ok in zip(answerable, correct) if ex.kind == 'conflict')}/"
        f"{sum(ex.kind == 'conflict' for ex in answerable)}",
        "false_conflicts": false_conflicts,
        "accuracy_by_method": {
            k: f"{v['correct']}/{v['answers']} = {v['correct'] / v['answers']:.3f}"
            for k, v in sorted(by_method.items())
        },
        "first_token_ms_p50": round(percentile(ttft, 50), 1),
        "first_token_ms_p95": round(percentile(ttft, 95), 1),
        "total_ms_p50": round(percentile(total, 50), 1),
        "total_ms_p95": round(percentile(total, 95), 1),
        "answer_misses": misses,
    }


def format_report(report: dict[str, Any]) -> str:
    """A plain-text table of the metrics, then the misses."""
    lines = []
    for section, metrics in report.items():
        lines.append(f"== {section}")
        for key, value in metrics.items():
            if key == "states":
                for state, counts in value.items():
                    lines.append(f"  {'state ' + state:<26} " + ", ".join(f"{v} {k}" for k, v in counts.items()))
            elif not isinstance(value, list):
                lines.append(f"  {key:<26} {value}")
        for miss in [m for key, v in metrics.items() if key.endswith("misses") for m in v]:
            detail = miss.get("answer") or ", ".join(miss.get("support", []))
            lines.append(f"  miss {miss['id']}: {miss['question']} -> {detail[:160]}")
    return "\n".join(lines)


def format_side_by_side(report: dict[str, Any]) -> str:
    """Ours next to the tutorial baseline, with latency ratios from the same run."""
    rows = []
    for ours_key, base_key in (("retrieval", "baseline_retrieval"), ("answers", "baseline_answers")):
        ours, base = report.get(ours_key), report.get(base_key)
        if not ours or not base:
            continue
        ours, base = ({("hit@k" if k.startswith("hit@") else k): v for k, v in d.items()} for d in (ours, base))
        rows.append(f"== {ours_key}")
        rows.append(f"  {'metric':<26} {'assistant':>12} {'tutorial':>12}")
        keys = [k for k in ours if not isinstance(ours[k], list)]
        keys += [k for k in base if k not in keys and not isinstance(base[k], list)]
        for key in keys:
            rows.append(f"  {key:<26} {str(ours.get(key, '–')):>12} {str(base.get(key, '–')):>12}")
        for key in ("first_token_ms_p50", "total_ms_p50"):
            if ours.get(key) and base.get(key):
                rows.append(f"  {'ratio ' + key + ' (tutorial/ours)':<40} {base[key] / ours[key]:.2f}x")
    return "\n".join(rows)
