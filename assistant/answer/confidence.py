"""A learned confidence: the probability that a shown answer is right, from every signal the
pipeline measures.

:func:`features` turns one answer's measurements (:class:`~assistant.answer.refusal.Features`,
its :class:`~assistant.answer.refusal.Decision`, the shown text and the retrieved passages)
into the named numbers of :data:`NAMES`. :class:`ConfidenceModel` is a logistic regression over
them, trained by :mod:`assistant.evaluate.confidence_train` and shipped as a small JSON file.
The product refuses a weights file whose sha256 is not the one its manifest records.

Inference needs only the standard library. scikit-learn is used to train the model, never
to run it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answer.compose import answer_words, bare_fragment
from assistant.answer.refusal import Decision, Features, support_score
from assistant.errors import SetupError
from assistant.ingest.attribution import question_speaker
from assistant.policy import Policy

NAMES = (
    "p_yes_logit",
    "p_yes_missing",
    "best_dense",
    "retrieval_missing",
    "top_lexical",
    "cited_dense",
    "question_missing_cited",
    "names_missing_cited",
    "support_min",
    "support_mean",
    "kept_share",
    "sentences_written",
    "logprob_mean",
    "logprob_min",
    "answer_words",
    "bare_fragment",
    "speaker_question",
    "speaker_cited",
    "extracted",
)
"""The model's inputs, in order."""


def features(f: Features, d: Decision, question: str, passages: Sequence[Any], policy: Policy) -> dict[str, float]:
    """The named inputs of the model for one answer (see :data:`NAMES`); the answer's form is
    read from the model's kept sentences, before a bare fragment is spelled out."""
    drafted = " ".join(f.sentences[i].text for i, _ in d.kept)
    cited = d.cited_numbers() if d.method == "generated" else ([d.quote] if d.quote else [])
    idx = [n - 1 for n in cited]
    scores = [support_score(f.sentences[i].agreements[m - 1], policy) for i, ms in d.kept for m in ms]
    speaker = bool(question_speaker(question))
    written = len(f.sentences)
    out = {
        "p_yes_logit": _logit(f.p_yes) if f.p_yes is not None else 0.0,
        "p_yes_missing": float(f.p_yes is None),
        "best_dense": f.best_dense,
        "retrieval_missing": f.retrieval_missing,
        "top_lexical": max((p.lexical for p in passages), default=0.0),
        "cited_dense": max((passages[i].dense for i in idx if i < len(passages)), default=0.0),
        "question_missing_cited": f.question.missing_share(idx) if idx and f.question.weights else 1.0,
        "names_missing_cited": float(len(f.question.names_missing(idx))) if idx else 0.0,
        "support_min": min(scores, default=0.0),
        "support_mean": sum(scores) / len(scores) if scores else 0.0,
        "kept_share": len(d.kept) / written if written else 0.0,
        "sentences_written": float(written),
        "logprob_mean": f.logprob_mean if f.logprob_mean is not None else 0.0,
        "logprob_min": f.logprob_min if f.logprob_min is not None else 0.0,
        "answer_words": math.log1p(len(answer_words(drafted))),
        "bare_fragment": float(bool(d.kept) and bare_fragment(drafted)),
        "speaker_question": float(speaker),
        "speaker_cited": float(speaker and any(n in f.speaker_spans for n in cited)),
        "extracted": float(d.method == "extracted"),
    }
    return out


def _logit(p: float, eps: float = 1e-4) -> float:
    """log(p / (1 − p)), with p kept inside [eps, 1 − eps]: P(yes) spreads over the real line."""
    p = min(max(p, eps), 1 - eps)
    return math.log(p / (1 - p))


def state(confidence: float, policy: Policy) -> str:
    """``answered``, ``uncertain`` or ``not_found`` for a confidence, by the policy's two
    calibrated thresholds (``confidence_answered`` and ``confidence_not_found``)."""
    if confidence >= policy.confidence_answered:
        return "answered"
    return "uncertain" if confidence >= policy.confidence_not_found else "not_found"


@dataclass(frozen=True)
class ConfidenceModel:
    """Logistic regression on standardized inputs: p = σ(b + Σ wᵢ (xᵢ − μᵢ) / σᵢ)."""

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def predict(self, x: dict[str, float]) -> float:
        z = self.intercept + sum(w * (x[n] - m) / s for n, m, s, w in zip(self.names, self.mean, self.scale, self.coef))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def to_json(self) -> dict[str, Any]:
        return {"names": list(self.names), "mean": list(self.mean), "scale": list(self.scale),
                "coef": list(self.coef), "intercept": self.intercept}  # fmt: skip

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ConfidenceModel:
        model = cls(tuple(d["names"]), tuple(d["mean"]), tuple(d["scale"]), tuple(d["coef"]), float(d["intercept"]))
        if len({len(model.names), len(model.mean), len(model.scale), len(model.coef)}) != 1:
            raise SetupError("the confidence model's arrays differ in length")
        unknown = set(model.names) - set(NAMES)
        if unknown:
            raise SetupError(f"the confidence model needs inputs this version does not measure: {sorted(unknown)}")
        return model


WEIGHTS = Path(__file__).with_name("confidence_model.json")
MANIFEST = Path(__file__).with_name("confidence_manifest.json")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@functools.cache
def shipped() -> ConfidenceModel:
    """The model shipped in the package, loaded and checked once per process."""
    return load()


def load(weights: Path = WEIGHTS, manifest: Path = MANIFEST) -> ConfidenceModel:
    """The shipped model; a :class:`SetupError` when its file is missing, damaged, or not the
    one the manifest names (its sha256 differs)."""
    try:
        want = json.loads(manifest.read_text(encoding="utf-8"))["weights_sha256"]
        if sha256(weights) != want:
            raise SetupError(f"{weights.name} does not match its manifest (sha256 differs); reinstall or retrain it")
        return ConfidenceModel.from_json(json.loads(weights.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SetupError(f"cannot load the confidence model {weights}: {exc}") from None
