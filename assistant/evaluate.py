"""Evaluation: retrieval and answer metrics over a JSON-lines question set.

Dataset line format (see docs/evaluation.md)::

    {"id": "q01", "question": "...", "history": [...]?,
     "support": ["text that must appear in a retrieved or cited passage", ...],
     "facts": [["alternative", "alternative"], ["another required fact"]],
     "kind": "factual" | "unanswerable" | "conflict" | "follow-up"}
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from .errors import UserError

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


def supported(support: Sequence[str], texts: Sequence[str]) -> bool:
    """Every support string appears in at least one of ``texts``."""
    normed = [_norm(t) for t in texts]
    return bool(support) and all(any(_norm(s) in t for t in normed) for s in support)


def first_hit_rank(support: Sequence[str], texts: Sequence[str]) -> int:
    """1-based rank of the first text holding any support string; 0 when none does."""
    for rank, t in enumerate(texts, 1):
        if any(_norm(s) in _norm(t) for s in support):
            return rank
    return 0


def facts_present(facts: Sequence[Sequence[str]], answer: str) -> bool:
    """Every fact group has at least one alternative in ``answer`` (case-insensitive)."""
    a = _norm(answer)
    return all(any(_norm(alt) in a for alt in group) for group in facts)


def offsets_valid(citations: Sequence[dict[str, Any]], read=lambda p: Path(p).read_text(encoding="utf-8")) -> bool:
    """Every citation's text equals its source file's ``[start:end]``."""
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
    return float(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]) if 0 < q < 100 else float(
        min(values) if q <= 0 else max(values)
    )


# --- runners ---------------------------------------------------------------


def evaluate_retrieval(examples: Sequence[Example], retriever: Any, k: int) -> dict[str, Any]:
    """hit@k, MRR and mean context characters over the answerable questions."""
    from .condense import condense

    hits, rr, chars, misses = [], [], [], []
    for ex in examples:
        if ex.kind == "unanswerable":
            continue
        passages = retriever.search(condense(ex.question, ex.history), k)
        texts = [p.text for p in passages]
        hit = supported(ex.support, texts)
        rank = first_hit_rank(ex.support, texts)
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
