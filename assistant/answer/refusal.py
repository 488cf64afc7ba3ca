"""The refusal policy: is the question answered by the articles, and by which sentences?

Everything measured about one answer is gathered in :class:`Features` (it does not depend
on any threshold).  :func:`decide` applies a :class:`~assistant.policy.Policy` to it and
returns a :class:`Decision`.  The Answerer calls :func:`decide` on live features; the
calibration replays it on recorded features under other thresholds, so a calibrated figure
is exactly what the product does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.answer.citations import SentenceCheck
from assistant.answer.evidence import Evidence
from assistant.answer.support import Agreement, NamePool, content_terms, names, numbers, weighted_coverage
from assistant.ingest.load import source_text
from assistant.policy import Policy
from assistant.retrieve.retriever import Passage


@dataclass
class QuestionCheck:
    """The question's content terms, names and numbers, and which of them each context lacks."""

    weights: dict[str, float] = field(default_factory=dict)
    missing_terms: list[list[str]] = field(default_factory=list)
    missing_names: list[list[str]] = field(default_factory=list)

    @classmethod
    def measure(
        cls, question: str, contexts: list[str], idf: Callable[[str], float], leads: list[str] | None = None
    ) -> QuestionCheck:
        """Check ``question`` against each context; ``leads[i]`` (the paragraph before context i's
        span) counts for names only, as in the sentence check."""
        terms = content_terms(question)
        wanted_names = names(question, skip_first=True)
        wanted_numbers = numbers(question, spelled=False)
        out = cls(weights={t: round(idf(t), 4) for t in sorted(terms)})
        for i, ctx in enumerate(contexts):
            _, missing = weighted_coverage(terms, ctx, idf)
            pool = NamePool(f"{ctx}\n{leads[i]}" if leads else ctx)
            missing_names = [n for n in wanted_names if n not in pool] + sorted(wanted_numbers - numbers(ctx))
            out.missing_terms.append(missing)
            out.missing_names.append(sorted(missing_names))
        return out

    def missing_share(self, among: Iterable[int]) -> float:
        """IDF-weighted share of question terms that none of the contexts ``among`` holds."""
        idx = list(among)
        total = sum(self.weights.values())
        if not idx or not total:
            return 0.0 if total == 0 else 1.0
        missing = set.intersection(*(set(self.missing_terms[i]) for i in idx))
        return sum(self.weights.get(t, 0.0) for t in missing) / total

    def names_missing(self, among: Iterable[int]) -> list[str]:
        idx = list(among)
        if not idx:
            return []
        return sorted(set.intersection(*(set(self.missing_names[i]) for i in idx)))

    def passes(self, among: Iterable[int], missing_max: float, names_required: bool) -> bool:
        """The contexts ``among`` hold the question's names (if required) and all but
        ``missing_max`` of its weighted terms."""
        idx = list(among)
        if names_required and self.names_missing(idx):
            return False
        return self.missing_share(idx) <= missing_max


@dataclass
class Features:
    """Everything measured about one answer; thresholds are applied by :func:`decide`."""

    best_dense: float = 0.0
    retrieval_missing: float = 1.0
    """IDF-weighted share of the question's terms missing from all retrieved passages."""
    model_refused: bool = False
    sentences: list[SentenceCheck] = field(default_factory=list)
    question: QuestionCheck = field(default_factory=QuestionCheck)
    """The question against each evidence span's passage (index n-1)."""
    speaker_spans: list[int] = field(default_factory=list)
    """Evidence numbers whose passage is the asked-about person speaking."""
    p_yes: float | None = None
    logprob_mean: float | None = None
    logprob_min: float | None = None

    def note_logprobs(self, logprobs: list[float]) -> None:
        """Summarise the answer tokens' log-probabilities (when the backend gives them)."""
        if logprobs:
            self.logprob_mean = round(sum(logprobs) / len(logprobs), 4)
            self.logprob_min = round(min(logprobs), 4)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["sentences"] = [s.to_json() for s in self.sentences]
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Features:
        d = dict(d)
        d["sentences"] = [SentenceCheck.from_json(s) for s in d.get("sentences", [])]
        d["question"] = QuestionCheck(**d.get("question", {}))
        return cls(**d)


@dataclass
class Decision:
    """What to show: ``status`` answered/uncertain/not_found (``uncertain`` is set by the learned
    confidence, never by :func:`decide`), ``method`` generated/extracted/not_found."""

    status: str
    method: str
    reason: str = ""
    kept: list[tuple[int, list[int]]] = field(default_factory=list)
    """(sentence index, markers) of the sentences shown."""
    removed: list[tuple[int, str]] = field(default_factory=list)
    """(sentence index, why) of the sentences dropped as unsupported."""
    quote: int = 0
    """For an extracted answer, the evidence number quoted."""
    needs_verify: bool = False

    def cited_numbers(self) -> list[int]:
        """The evidence numbers that the kept sentences cite, in order."""
        return sorted({m for _, ms in self.kept for m in ms})

    def cited(self, evidence: list[Evidence]) -> list[Evidence]:
        """The evidence spans that the kept sentences cite, in evidence order."""
        return [evidence[m - 1] for m in self.cited_numbers()]


def measure_retrieval(question: str, passages: list[Passage], idf: Callable[[str], float]) -> Features:
    """The retrieval-side measurements: best cosine, and question terms missing from all passages."""
    f = Features(best_dense=max((p.dense for p in passages), default=0.0))
    everything = "\n".join(f"{p.title}\n{p.text}" for p in passages)
    f.retrieval_missing = QuestionCheck.measure(question, [everything], idf).missing_share([0])
    return f


def measure_evidence(
    f: Features, question: str, passages: list[Passage], evidence: list[Evidence], idf: Callable[[str], float]
) -> None:
    """The question against each evidence span's passage (its words, title, speaker and date)."""
    by_id = {p.chunk_id: p for p in passages}
    f.speaker_spans = [e.n for e in evidence if by_id[e.chunk_id].speaker_match]
    contexts = [f"{p.title}\n{e.speaker}\n{p.date}\n{p.text}" for e in evidence for p in [by_id[e.chunk_id]]]
    f.question = QuestionCheck.measure(question, contexts, idf, leads(passages, evidence))


LEAD_CHARS = 600  # how far back a span's pronouns are taken to reach (not a tuning knob)


def leads(passages: list[Passage], evidence: list[Evidence]) -> list[str]:
    """For each span, the text of its paragraph before it (at most ``LEAD_CHARS``): what a
    reader sees around the highlighted span, and where the names its pronouns refer to are."""
    texts: dict[str, str] = {}
    by_id = {p.chunk_id: p for p in passages}
    out = []
    for e in evidence:
        if e.path not in texts:
            try:
                texts[e.path] = source_text(e.path)
            except (OSError, UnicodeDecodeError):
                texts[e.path] = ""
        text = texts[e.path]
        if text[e.start : e.end] == e.text:
            start = max(text.rfind("\n", 0, e.start) + 1, e.start - LEAD_CHARS)
            out.append(text[start : e.start])
        else:  # the file changed since indexing: fall back to the passage itself
            p = by_id.get(e.chunk_id)
            out.append(p.text[: max(0, e.start - p.start)] if p else "")
    return out


def support_score(a: Agreement, policy: Policy) -> float:
    """How well a span states a sentence: 0 when an agreement check fails, else the best of
    content coverage and embedding cosine."""
    if policy.check_entities and a.missing_names:
        return 0.0
    if policy.check_numbers and a.missing_numbers:
        return 0.0
    if policy.check_negation and a.negation_differs:
        return 0.0
    return max(a.coverage, a.cosine)


def _why(a: Agreement, policy: Policy) -> str:
    if policy.check_entities and a.missing_names:
        return "names not in the passage: " + ", ".join(a.missing_names)
    if policy.check_numbers and a.missing_numbers:
        return "numbers not in the passage: " + ", ".join(a.missing_numbers)
    if policy.check_negation and a.negation_differs:
        return "negation differs from the passage"
    return "no passage states it"


def retrieval_refuses(f: Features, policy: Policy) -> bool:
    """Refuse before generation: nothing retrieved is about the question."""
    return f.best_dense < policy.refuse_dense_below and f.retrieval_missing > 1 - policy.refuse_coverage_below


def decide(f: Features, policy: Policy, verified: bool = True) -> Decision:
    """Apply ``policy`` to ``f``.  With ``verified=False`` the model check is not applied yet:
    the decision says whether it is needed (``needs_verify``)."""
    if retrieval_refuses(f, policy):
        return Decision("not_found", "not_found", "nothing retrieved is about the question")
    if f.model_refused:
        return _fallback(f, policy, "the model found no answer in the passages")
    kept, removed = [], []
    for i, s in enumerate(f.sentences):
        scores = [support_score(a, policy) for a in s.agreements]
        ok = [n for n, sc in enumerate(scores, 1) if sc >= policy.support_min]
        markers = [m for m in s.markers if m in ok]
        if not markers and ok:
            markers = [max(ok, key=lambda n: scores[n - 1])]
        if markers:
            kept.append((i, markers))
        elif s.agreements:
            closest = max(s.agreements, key=lambda a: (a.coverage, a.cosine))
            removed.append((i, _why(closest, policy)))
        else:
            removed.append((i, "no passage states it"))
    if not kept:
        return _fallback(f, policy, "no sentence of the answer is stated by a passage", removed)
    decision = Decision("answered", "generated", kept=kept, removed=removed)
    cited = [m - 1 for m in decision.cited_numbers()]
    if not f.question.passes(cited, policy.question_missing_max, policy.question_entities_required):
        return _fallback(f, policy, "the cited passages are not about what was asked", removed)
    if f.logprob_mean is not None and f.logprob_mean < policy.logprob_mean_min:
        return _fallback(f, policy, "the model was unsure of its answer", removed)
    if policy.verify_min > 0:
        if f.p_yes is None and not verified:
            decision.needs_verify = True  # ask the model, then decide again
        elif f.p_yes is not None and f.p_yes < policy.verify_min:
            # Not the quote fallback: its quote would be shown unverified, right after the
            # verification rejected what the answer cited.
            reason = "the model judges that the cited passages do not answer the question"
            return Decision("not_found", "not_found", reason, removed=removed)
    return decision


def _fallback(f: Features, policy: Policy, reason: str, removed: list | None = None) -> Decision:
    """The asked-about person's own words, when they pass the question check; else not found."""
    if policy.quote_fallback:
        passing = [n for n in f.speaker_spans if f.question.passes([n - 1], policy.quote_missing_max, True)]
        if passing:
            best = min(passing, key=lambda n: (f.question.missing_share([n - 1]), n))
            return Decision("answered", "extracted", reason, removed=removed or [], quote=best)
    return Decision("not_found", "not_found", reason, removed=removed or [])
