"""Calibration: choose the refusal and support thresholds by measurement over several sets.

``assistant eval --calibrate --set DATASET[=CORPUS] ...`` answers every question of every set
once with every measurement taken (:class:`~assistant.answer.refusal.Features`, the model's yes/no
verification, stage timings) and saves those records.  Each candidate policy is then
*replayed* on the records with the same :func:`~assistant.answer.refusal.decide` the Answerer uses,
so the sweep costs no model calls, and a row of its table is what the product would do.

Latency per setting is rebuilt from the recorded stage timings: a question refused before
generation costs its retrieval time, the model check costs its verify time only where the
setting uses it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answer.evidence import Evidence
from assistant.answer.refusal import Features, decide, retrieval_refuses
from assistant.errors import UserError
from assistant.evaluate.metrics import Example, cites_support, facts_present, load_dataset, percentile
from assistant.policy import Policy

# The grid swept by default: every combination is replayed on the records.
GRID: dict[str, list[Any]] = {
    "support_min": [0.4, 0.5, 0.6, 0.7],
    "question_missing_max": [0.25, 0.35, 0.5, 0.65, 1.0],
    "question_entities_required": [True, False],
    "verify_min": [0.0, 0.3, 0.4, 0.5, 0.6, 0.7],
    "refuse_dense_below": [0.3, 0.4, 0.45, 0.5],
    "quote_missing_max": [0.2, 0.35, 0.5],
}
# A reader is worse served by refusals of answerable questions than by anything else the
# sweep trades: settings that refuse more than this share of any set's answerable questions
# rank after all that do not (the target for the encyclopedia set is 4 of 80).
MAX_FALSE_REFUSALS = 0.05

# The support-check options the issue asked to compare; each is swept over its own knobs.
_OFF = {
    "check_entities": False,
    "check_numbers": False,
    "check_negation": False,
    "question_missing_max": 1.0,
    "question_entities_required": False,
    "verify_min": 0.0,
}
OPTIONS: dict[str, tuple[dict[str, Any], dict[str, list[Any]]]] = {
    "similarity only (the rule before this change)": (_OFF | {"support_min": 0.5}, {}),
    "agreement check (names, numbers, negation, key terms)": (
        {"verify_min": 0.0},
        {k: GRID[k] for k in ("support_min", "question_missing_max", "question_entities_required")},
    ),
    "model verification (P(yes) that the cited spans answer the question)": (
        _OFF,
        {"verify_min": [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]},
    ),
    "answer-token log-probabilities": (_OFF, {"logprob_mean_min": [-1.5, -1.0, -0.7, -0.5, -0.35, -0.25, -0.15]}),
    "agreement check + model verification": ({}, GRID),
}


@dataclass
class EvalSet:
    """A question set and the folder of articles it is about."""

    name: str
    dataset: Path
    corpus: Path

    @classmethod
    def parse(cls, spec: str, default_corpus: Path) -> EvalSet:
        """``DATASET[=CORPUS]``; without CORPUS, ``corpus/`` beside the dataset, else the default."""
        data, _, corpus = spec.partition("=")
        path = Path(data)
        folder = Path(corpus) if corpus else path.parent / "corpus"
        if not corpus and not folder.is_dir():
            folder = default_corpus
        if not path.is_file():
            raise UserError(f"no dataset at {path}")
        if not folder.is_dir():
            raise UserError(f"no article folder at {folder}")
        name = path.parent.name if path.stem in ("questions", "dev") and path.parent.name != "eval" else path.stem
        return cls(name=name, dataset=path, corpus=folder)


def collect(
    sets: list[EvalSet],
    settings: Any,
    llm: Any,
    progress: Callable[[str], None],
    system_prompt: str = "answer_system",
) -> list[dict[str, Any]]:
    """Answer every question once in record mode; one record per question."""
    records = []
    for es in sets:
        answerer = recording_answerer(settings, es.corpus, llm, system_prompt)
        examples = load_dataset(es.dataset)
        for n, ex in enumerate(examples, 1):
            r = answerer.answer(ex.question, ex.history)
            records.append(to_record(es, ex, r))
            progress(f"[{es.name} {n}/{len(examples)}] {ex.id} {r.status}/{r.method} {r.timings_ms['total']:.0f} ms")
    return records


def to_record(es: EvalSet, ex: Example, r: Any) -> dict[str, Any]:
    """One question's record: the example, every measurement, the model's text and timings."""
    return {
        "set": es.name,
        "corpus": str(es.corpus),
        "id": ex.id,
        "kind": ex.kind,
        "question": r.standalone_question,
        "facts": ex.facts,
        "support": ex.support,
        "features": r.features.to_json() if r.features else {},
        "evidence": [e.__dict__ for e in r.evidence],
        "retrieved": [p.__dict__ for p in r.retrieved],
        "raw_answer": r.raw_answer,
        "timings_ms": r.timings_ms,
    }


def recording_answerer(settings: Any, corpus: Path, llm: Any, system_prompt: str = "answer_system") -> Any:
    """An Answerer in record mode over ``corpus``, indexed first into its own cached store."""
    from assistant.answer.answerer import Answerer
    from assistant.retrieve.retriever import Retriever
    from assistant.store.build import build_index

    s = corpus_settings(settings, corpus)
    build_index([corpus], s, say=lambda m: None)
    policy = settings.load_policy()
    answerer = Answerer(s, retriever=Retriever(s, policy=policy), llm=llm, policy=policy, system_prompt=system_prompt)
    answerer.record = True
    return answerer


def corpus_settings(settings: Any, corpus: Path) -> Any:
    """``settings`` with an index of its own for ``corpus``, in the cache (one per folder)."""
    key = hashlib.sha256(str(corpus.resolve()).encode()).hexdigest()[:12]
    return settings.with_(index_dir=settings.cache_dir / "calibrate" / key, chroma_url="", corpus_dir=corpus)


def remeasure(records: list[dict[str, Any]], settings: Any) -> list[dict[str, Any]]:
    """Measure the recorded answers again with the current code; the model's outputs (its text,
    yes/no probability, token log-probabilities) are kept, so no model call is made."""
    from assistant.answer.citations import measure_sentences
    from assistant.answer.refusal import leads, measure_evidence, measure_retrieval
    from assistant.retrieve.retriever import Passage, Retriever
    from assistant.store.build import build_index

    retrievers: dict[str, Any] = {}
    out = []
    for rec in records:
        corpus = rec.get("corpus")
        if not corpus or not Path(corpus).is_dir():
            raise UserError(f"record {rec['id']}: its article folder {corpus!r} is gone; collect again")
        if corpus not in retrievers:
            s = corpus_settings(settings, Path(corpus))
            build_index([Path(corpus)], s, say=lambda m: None)
            retrievers[corpus] = Retriever(s, policy=settings.load_policy())
        r = retrievers[corpus]
        old = rec["features"]
        passages = [Passage(**p) for p in rec["retrieved"]]
        evidence = [Evidence(**e) for e in rec["evidence"]]
        f = measure_retrieval(rec["question"], passages, r.idf)
        measure_evidence(f, rec["question"], passages, evidence, r.idf)
        f.model_refused, f.p_yes = old["model_refused"], old["p_yes"]
        f.logprob_mean, f.logprob_min = old["logprob_mean"], old["logprob_min"]
        if evidence and not f.model_refused:
            f.sentences = measure_sentences(rec["raw_answer"], evidence, r.embedder, r.idf, leads(passages, evidence))
        out.append(rec | {"features": f.to_json()})
    return out


def replay(rec: dict[str, Any], policy: Policy) -> dict[str, Any]:
    """What ``policy`` would have shown for one recorded question, and how long it would take."""
    from assistant.answer.compose import compose

    f = Features.from_json(rec["features"])
    d = decide(f, policy)
    unverified = Features.from_json(rec["features"] | {"p_yes": None})
    asks_model = decide(unverified, policy, verified=False).needs_verify
    evidence = [Evidence(**e) for e in rec["evidence"]]
    answer, citations = compose(f, d, evidence, rec["question"], policy)
    t = rec["timings_ms"]
    if retrieval_refuses(f, policy):
        total = first = t.get("retrieve", 0.0)
    else:
        first = t.get("first_token", 0.0)
        total = sum(t.get(k, 0.0) for k in ("retrieve", "evidence", "generate", "check"))
        if asks_model:
            total += t.get("verify", 0.0)
    return {"status": d.status, "method": d.method, "answer": answer, "cited": [c.text for c in citations],
            "total": total, "first": first}  # fmt: skip


def score(records: list[dict[str, Any]], policy: Policy) -> dict[str, dict[str, Any]]:
    """Per-set metrics of ``policy`` replayed on ``records``."""
    out: dict[str, dict[str, Any]] = {}
    for name in dict.fromkeys(r["set"] for r in records):
        rows = [(r, replay(r, policy)) for r in records if r["set"] == name]
        ans = [(r, o) for r, o in rows if r["kind"] != "unanswerable"]
        una = [(r, o) for r, o in rows if r["kind"] == "unanswerable"]
        refused = [o for _, o in rows if o["status"] == "not_found"]
        correct = sum(o["status"] == "answered" and facts_present(r["facts"], o["answer"]) for r, o in ans)
        refused_una = sum(o["status"] == "not_found" for _, o in una)
        refused_ans = sum(o["status"] == "not_found" for _, o in ans)
        with_support = [(r, o) for r, o in ans if r["support"]]
        cites = sum(cites_support(r["support"], r["facts"], o["cited"]) for r, o in with_support)
        out[name] = {
            "accuracy": round(correct / max(1, len(ans)), 3),
            "unanswerable_refused": f"{refused_una}/{len(una)}",
            "false_refusals": f"{refused_ans}/{len(ans)}",
            "refusal_precision": round(refused_una / len(refused), 3) if refused else 1.0,
            "refusal_recall": round(refused_una / max(1, len(una)), 3),
            "citation_support": round(cites / max(1, len(with_support)), 3),
            "total_ms_p50": round(percentile([o["total"] for _, o in rows], 50)),
            "first_token_ms_p50": round(percentile([o["first"] for _, o in rows if o["status"]], 50)),
            "_handled": (correct + refused_una) / max(1, len(rows)),
            "_false_refusal_rate": refused_ans / max(1, len(ans)),
        }
    return out


def objective(metrics: dict[str, dict[str, Any]]) -> float:
    """Mean over the sets of the share of questions handled right: answerable ones answered
    correctly, unanswerable ones refused. Every question weighs the same, so refusing an
    answerable question costs what refusing an unanswerable one gains."""
    return sum(m["_handled"] for m in metrics.values()) / max(1, len(metrics))


def feasible(metrics: dict[str, dict[str, Any]], max_false_refusals: float = MAX_FALSE_REFUSALS) -> bool:
    """No set has more than ``max_false_refusals`` of its answerable questions refused."""
    return all(m["_false_refusal_rate"] <= max_false_refusals + 1e-9 for m in metrics.values())


def sweep(
    records: list[dict[str, Any]], base: Policy, grid: dict[str, list[Any]], max_false_refusals: float
) -> list[tuple[float, dict[str, Any], dict[str, dict[str, Any]]]]:
    """Every combination of ``grid`` over ``base``: feasible settings first, then by objective."""
    rows = []
    keys = list(grid)
    for values in itertools.product(*(grid[k] for k in keys)) if keys else [()]:
        change = dict(zip(keys, values))
        policy = base.with_(**change)
        metrics = score(records, policy)
        rows.append((objective(metrics), change, metrics))
    rows.sort(key=lambda r: (not feasible(r[2], max_false_refusals), -r[0]))
    return rows


def format_rows(rows: Iterable[tuple[str, dict[str, dict[str, Any]]]]) -> str:
    """A Markdown table: one row per setting, the metrics of each set side by side."""
    rows = list(rows)
    if not rows:
        return ""
    sets = list(rows[0][1])
    cols = ["accuracy", "unanswerable_refused", "false_refusals", "refusal_precision", "refusal_recall",
            "citation_support", "total_ms_p50"]  # fmt: skip
    head = "| setting | " + " | ".join(f"{s}: {c.replace('_', ' ')}" for s in sets for c in cols) + " |"
    lines = [head, "|" + " --- |" * (1 + len(sets) * len(cols))]
    for label, metrics in rows:
        lines.append(f"| {label} | " + " | ".join(str(metrics[s][c]) for s in sets for c in cols) + " |")
    return "\n".join(lines)


def describe(change: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in change.items()) or "defaults"


def report(
    records: list[dict[str, Any]], base: Policy, top: int = 15, max_false_refusals: float = MAX_FALSE_REFUSALS
) -> dict[str, Any]:
    """The calibration report: the grid's best settings, the defaults, and each option's best."""

    def row(o: float, change: dict[str, Any], m: dict[str, Any]) -> dict[str, Any]:
        return {"setting": change, "metrics": m, "objective": round(o, 4), "feasible": feasible(m, max_false_refusals)}

    options = {}
    for name, (fixed, knobs) in OPTIONS.items():
        o, change, m = sweep(records, base.with_(**fixed), knobs, max_false_refusals)[0]
        options[name] = row(o, fixed | change, m)
    defaults = score(records, base)
    return {
        "max_false_refusals": max_false_refusals,
        "defaults": row(objective(defaults), {}, defaults),
        "grid": [row(*r) for r in sweep(records, base, GRID, max_false_refusals)[:top]],
        "options": options,
    }


def format_report(rep: dict[str, Any]) -> str:
    clean = lambda m: {s: {k: v for k, v in d.items() if not k.startswith("_")} for s, d in m.items()}  # noqa: E731
    mark = lambda r: "" if r["feasible"] else " (too many false refusals)"  # noqa: E731
    cap = f"{rep['max_false_refusals']:.0%}"
    parts = [f"== support-check options, each at its own best setting (false refusals ≤ {cap} of each set first)"]
    parts.append(format_rows((name + mark(o), clean(o["metrics"])) for name, o in rep["options"].items()))
    parts += ["", "   settings: " + "; ".join(f"{n}: {describe(o['setting'])}" for n, o in rep["options"].items())]
    parts += ["", f"== grid: settings with false refusals ≤ {cap} of each set first, then by objective"]
    parts.append(format_rows((describe(g["setting"]) + mark(g), clean(g["metrics"])) for g in rep["grid"]))
    parts += ["", "== current defaults (objective " + str(rep["defaults"]["objective"]) + ")"]
    parts.append(format_rows([("defaults" + mark(rep["defaults"]), clean(rep["defaults"]["metrics"]))]))
    return "\n".join(parts)


def load_records(path: Path) -> list[dict[str, Any]]:
    try:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read calibration records {path}: {exc}") from None


def save_records(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


__all__ = [
    "EvalSet",
    "collect",
    "format_report",
    "load_records",
    "replay",
    "report",
    "save_records",
    "score",
    "to_record",
]
