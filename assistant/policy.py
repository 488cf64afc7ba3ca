"""Every threshold and weight of retrieval, evidence selection, support and refusal, in one object.

The :class:`Retriever` and the :class:`~assistant.answer.answerer.Answerer` take a :class:`Policy`.
It holds the thresholds and weights that decide what is retrieved, cited and refused; the
rules' own constants (the support score's parts in :mod:`assistant.answer.support`, chunk
sizes in :mod:`assistant.ingest.chunk`) stay beside the rule they shape.  The defaults below were chosen by
``assistant eval --calibrate`` over ``eval/dev.jsonl`` together with an unrelated
encyclopedia set (see ``docs/evaluation.md`` for that run and its table); change them by
passing a policy file (``--policy FILE`` or ``ASSISTANT_POLICY``) holding any subset of the
fields as JSON, e.g. ``{"verify_min": 0.4}``.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from assistant.errors import UserError

MINIMUM = {"rrf_k": 0, "candidates": 1, "evidence_budget": 1, "max_evidence": 1, "conflict_pool": 0}
"""The smallest value each whole-number field can take (``rrf_k`` below 0 would divide by zero)."""


@dataclass(frozen=True)
class Policy:
    """Tuning of the whole answer pipeline.  Each field says what it controls."""

    # -- retrieval ------------------------------------------------------------------
    rrf_k: int = 60
    """Reciprocal-rank-fusion constant: a passage at rank r in a list scores 1/(rrf_k + r)."""
    candidates: int = 40
    """Passages taken from each of the dense and BM25 lists before fusion."""

    # -- evidence selection (what the model reads) ----------------------------------
    evidence_budget: int = 1000
    """Characters of evidence sent to the model (the best sentences of the top passages)."""
    max_evidence: int = 6
    """At most this many passages contribute evidence sentences."""
    w_sentence_dense: float = 0.55
    """Weight of a sentence's embedding similarity to the question."""
    w_sentence_overlap: float = 0.3
    """Weight of the share of question terms a sentence contains."""
    w_rank_prior: float = 0.15
    """Weight of the passage's retrieval rank (first passage gets all of it)."""
    w_speaker: float = 0.15
    """Bonus for sentences of passages where the asked-about person speaks."""

    # -- refusal before generation --------------------------------------------------
    refuse_dense_below: float = 0.0
    """Refuse without calling the model when the best passage's cosine is below this … (0, the
    default, never refuses here: the learned confidence reads the same two measurements, and
    replaying the records with 0.45, the old policy's value, left more answerable questions
    not found on every set; ``docs/confidence.md``)."""
    refuse_coverage_below: float = 0.75
    """… and the retrieved passages hold less than this share of the question's terms."""

    # -- claim–span support ---------------------------------------------------------
    support_min: float = 0.5
    """A sentence keeps a citation when its support score for that span reaches this.
    The score is the larger of the IDF-weighted share of the sentence's content terms found in
    the span and the sentence–span embedding cosine, and is 0 when an agreement check fails."""
    check_entities: bool = True
    """Reject a citation whose sentence names a person, place, organisation or other proper
    name that its span (with the passage's title and speaker) does not contain."""
    check_numbers: bool = True
    """Reject a citation whose sentence has a number, date or count its span does not have."""
    check_negation: bool = True
    """Reject a citation whose sentence and best-matching span sentence differ in negation."""

    # -- answerability (is the question answered at all?) ---------------------------
    question_missing_max: float = 1.0
    """Largest IDF-weighted share of the question's content terms that may be missing from the
    cited passages (with their titles and speakers) for the answer to stand."""
    question_entities_required: bool = False
    """The question's proper names and numbers must all be in the cited passages."""
    verify_min: float = 0.0
    """A hard gate on the model's yes/no verification: after the support check the model sees
    only the cited spans and the question, is asked whether they answer it (one short prompt,
    without its own answer), and the answer stands only when the probability of "yes" reaches
    this.  0 (the default) leaves the decision to the learned confidence below, of which that
    probability is one input; the old policy used 0.5."""

    # -- how sure (:mod:`assistant.answer.confidence`) ------------------------------------
    confidence_answered: float = 0.9937
    """An answer whose learned confidence (the probability that it is right) reaches this is
    ``answered``: shown as checked.  Chosen by ``python -m assistant.evaluate.confidence_train``:
    the lowest confidence at which at least 95 % of the answers above it were right, over the
    training articles out of fold and the adversarial news twins (never trained on), together;
    ``eval/dev.jsonl`` is never used (``docs/confidence.md``)."""
    confidence_not_found: float = 0.0
    """Below this confidence the answer is not shown (``not_found``, with the closest passages);
    between the two thresholds it is ``uncertain``: shown, marked for the reader to check.
    Chosen by the same run: the highest value that refuses no more than 5 % of the answerable
    questions."""

    logprob_mean_min: float = -100.0
    """The answer stands only when the mean log-probability of its tokens reaches this
    (backends without token probabilities skip the check; -100 turns it off)."""

    # -- extractive fallback ("What did X say about Y?" when the model refuses) -------
    quote_fallback: bool = True
    """Offer the asked-about person's own words when the model gives no supported answer, if
    their passage passes the question check below."""
    quote_missing_max: float = 0.35
    """Largest IDF-weighted share of the question's content terms that may be missing from the
    quoted passage (with its speaker and title); its names and digits must all be there.  A quote
    has no model sentence to check, so this question check is its only guard."""

    # -- sources that disagree (:mod:`assistant.answer.conflicts`) ---------------------------
    conflict_pool: int = 30
    """Passages searched for articles that give another value for what the question asks (the
    model still reads only the best ``k``); 0 turns the check off."""
    conflict_min_relevance: float = 0.4
    """A sentence speaks for its article only when its relevance to the question (the larger of
    the IDF-weighted share of the question's terms and the embedding cosine) reaches this."""
    conflict_min_likeness: float = 0.5
    """… and when its embedding cosine (values masked) with the most relevant sentence reaches this."""
    conflict_same_story: float = 0.3
    """… and when its article's title and the most relevant sentence's article title have at
    least this embedding cosine (the two articles report the same story)."""

    def __post_init__(self) -> None:
        for name, low in MINIMUM.items():
            if getattr(self, name) < low:
                raise UserError(f"policy field {name} must be at least {low}, got {getattr(self, name)!r}")
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, float) and not math.isfinite(value):
                raise UserError(f"policy field {f.name} must be a finite number, got {value!r}")

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def with_(self, **changes: Any) -> Policy:
        """A copy with some fields replaced; unknown names are an error."""
        unknown = set(changes) - set(self.field_names())
        if unknown:
            raise UserError(f"unknown policy field(s): {', '.join(sorted(unknown))}")
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_file(cls, path: Path) -> Policy:
        """Defaults overridden by the fields in a JSON file."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UserError(f"cannot read policy file {path}: {exc}") from None
        if not isinstance(data, dict):
            raise UserError(f"policy file {path} must hold a JSON object")
        types = {f.name: type(getattr(cls(), f.name)) for f in fields(cls)}
        clean: dict[str, Any] = {}
        for key, value in data.items():
            want = types.get(key)
            if want is None:
                raise UserError(f"policy file {path}: unknown field {key!r}")
            if want is bool and not isinstance(value, bool) or want in (int, float) and isinstance(value, bool):
                raise UserError(f"policy file {path}: {key} must be {want.__name__}")
            if want is int and isinstance(value, float) and not value.is_integer():
                raise UserError(f"policy file {path}: {key} must be a whole number, got {value!r}")
            try:
                clean[key] = want(value)
            except (TypeError, ValueError):
                raise UserError(f"policy file {path}: {key} must be {want.__name__}") from None
        try:
            return cls().with_(**clean)
        except UserError as exc:
            raise UserError(f"policy file {path}: {exc}") from None


def field_docs() -> dict[str, str]:
    """Each field's documentation, read from this module's source (for docs and --help)."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(Policy))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for node, nxt in zip(body, body[1:]):
        if isinstance(node, ast.AnnAssign) and isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant):
            docs[node.target.id] = " ".join(str(nxt.value.value).split())  # type: ignore[union-attr]
    return docs
