"""Train and evaluate the learned confidence (:mod:`assistant.answer.confidence`) on recorded
questions (:mod:`assistant.evaluate.record`)::

    .venv/bin/python -m assistant.evaluate.confidence_train --records docs/confidence/records.jsonl.gz

Every recorded question is replayed under the default policy with the model's verification
threshold off (``verify_min=0``). A question whose draft keeps a supported sentence is a
*candidate*, and its label is whether its shown answer is right: an answerable question
whose answer holds a gold answer. An answer to an unanswerable question is always wrong. A
question with no candidate is ``not_found`` whatever the model says.

The model is a logistic regression (scikit-learn, fixed seed). Its figures are out-of-fold,
leaving one article out at a time, so no squad-dev figure comes from a model that saw that
article. ``eval/dev.jsonl`` (the seeds) is never trained on and is scored by the final model.
The final model is fitted on every squad-dev article and written beside its manifest
(sha256, data hashes, the command, the seed, the figures).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answer.confidence import MANIFEST, NAMES, WEIGHTS, ConfidenceModel, features, sha256
from assistant.evaluate.metrics import aurc, curve, facts_present
from assistant.policy import Policy

SEED = 13
C_GRID = (0.03, 0.1, 0.3, 1.0)
"""The logistic regression's inverse regularization strengths tried; each fit takes the one
whose leave-one-article-out AURC over its own training articles is lowest (nested, so no
figure comes from a strength chosen on the article it is measured on)."""
OLD_POLICY = {"verify_min": 0.5, "refuse_dense_below": 0.45}
"""The policy before the learned confidence, the comparison's "old policy": a hard gate on
P(yes), and the refusal before generation when nothing retrieved is near the question."""
HELD_OUT = {"dev", "adversarial"}
"""Record sets never trained on: the seeds questions (dev and the adversarial twins)."""
UNSEEN = {"dev"}
"""Record sets the thresholds never see: ``eval/dev.jsonl`` stays the acceptance check. The
thresholds are set over every other set at once: the training articles' out-of-fold
confidences (SQuAD 2.0) and the adversarial twins' (news, scored by the final model), so that
an ``answered`` answer is at least ``precision`` right over Wikipedia and news questions alike."""


@dataclass
class Row:
    """One recorded question: its set, article (the fold), label and the model's inputs."""

    set: str
    group: str
    answerable: bool
    candidate: bool
    correct: bool
    p_yes: float
    old_answered: bool
    x: dict[str, float]


def read_records(path: Path) -> list[dict[str, Any]]:
    """Records from a JSON-lines file, gzipped or not (a torn last line is skipped)."""
    opener = gzip.open if path.suffix == ".gz" else open
    out = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
    return out


def _group(rec: dict[str, Any]) -> str:
    if rec.get("article"):
        return Path(rec["article"]).stem
    if rec["set"] == "squad-dev":
        return rec["id"].rsplit("-", 1)[0]
    return rec["set"]


def to_row(rec: dict[str, Any], policy: Policy) -> Row:
    """Replay one record without the verification threshold, and under the policy itself."""
    from assistant.answer.compose import compose
    from assistant.answer.evidence import Evidence
    from assistant.answer.refusal import Features, decide
    from assistant.retrieve.retriever import Passage

    f = Features.from_json(rec["features"])
    evidence = [Evidence(**e) for e in rec["evidence"]]
    passages = [Passage(**p) for p in rec["retrieved"]]
    d = decide(f, policy.with_(verify_min=0.0))  # the confidence, not a P(yes) gate, decides
    answer, _ = compose(f, d, evidence, rec["question"], policy)
    answerable = rec["kind"] != "unanswerable"
    candidate = d.status == "answered"
    return Row(
        set=rec["set"],
        group=_group(rec),
        answerable=answerable,
        candidate=candidate,
        correct=candidate and answerable and facts_present(rec["facts"], answer),
        p_yes=f.p_yes or 0.0,
        old_answered=decide(f, policy.with_(**OLD_POLICY)).status == "answered",
        x=features(f, d, rec["question"], passages, policy),
    )


def fit(rows: list[Row], c: float | None = None, names: tuple[str, ...] = NAMES) -> ConfidenceModel:
    """Logistic regression on standardized inputs ``names``, exported as plain numbers; ``c``
    None chooses the regularization from :data:`C_GRID` (:func:`choose_c`)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    c = choose_c(rows, names) if c is None else c
    x = np.array([[r.x[n] for n in names] for r in rows])
    y = np.array([r.correct for r in rows])
    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    lr = LogisticRegression(C=c, max_iter=2000, random_state=SEED).fit((x - scaler.mean_) / scale, y)
    return ConfidenceModel(tuple(names), tuple(map(float, scaler.mean_)), tuple(map(float, scale)),
                           tuple(map(float, lr.coef_[0])), float(lr.intercept_[0]))  # fmt: skip


def choose_c(rows: list[Row], names: tuple[str, ...] = NAMES) -> float:
    """The strength of :data:`C_GRID` with the lowest leave-one-article-out AURC on ``rows``."""
    if len({r.group for r in rows}) < 3:
        return C_GRID[-1]
    right = [r.correct for r in rows]
    return min(C_GRID, key=lambda c: aurc(by_article(rows, c, names), right))


def by_article(rows: list[Row], c: float | None = None, names: tuple[str, ...] = NAMES) -> list[float]:
    """Each row's confidence from a model fitted on the other articles' rows (``c`` and
    ``names`` as in :func:`fit`)."""
    conf = [0.0] * len(rows)
    for group in sorted({r.group for r in rows}):
        model = fit([r for r in rows if r.group != group], c, names)
        for i, r in enumerate(rows):
            if r.group == group:
                conf[i] = model.predict(r.x)
    return conf


def out_of_fold(rows: list[Row], names: tuple[str, ...] = NAMES) -> dict[int, float]:
    """Each training candidate's confidence from a model fitted without its article."""
    train = [i for i, r in enumerate(rows) if r.candidate and r.set not in HELD_OUT]
    return dict(zip(train, by_article([rows[i] for i in train], names=names)))


def thresholds(rows: list[Row], conf: dict[int, float], precision: float, max_not_found: float) -> tuple[float, float]:
    """``answered`` at or above the lowest confidence whose answers are at least ``precision``
    right; ``not_found`` below the highest confidence that leaves no more than ``max_not_found``
    of the answerable questions not found (those without a candidate count first). Only the
    rows of sets outside :data:`UNSEEN` count."""
    conf = {i: c for i, c in conf.items() if rows[i].set not in UNSEEN}
    scored = sorted(conf.items(), key=lambda kv: -kv[1])
    answered, right = 0, 0
    t_answer = 1.0
    for i, c in scored:
        answered += 1
        right += rows[i].correct
        if right / answered >= precision:
            t_answer = c
    answerable = [i for i, r in enumerate(rows) if r.answerable and r.set not in UNSEEN]
    no_candidate = sum(1 for i in answerable if i not in conf)
    budget = int(max_not_found * len(answerable)) - no_candidate
    low = sorted(conf[i] for i in answerable if i in conf)
    t_refuse = low[budget - 1] if budget > 0 and low else 0.0
    return t_answer, min(t_refuse, t_answer)


def state_of(c: float | None, t_answer: float, t_refuse: float) -> str:
    """The state at these thresholds of a confidence (``None``: the question had no candidate)."""
    return "not_found" if c is None or c < t_refuse else "answered" if c >= t_answer else "uncertain"


def states(rows: list[Row], conf: dict[int, float], t_answer: float, t_refuse: float) -> dict[str, dict[str, int]]:
    """How many answerable and unanswerable questions land in each state, and how many
    ``answered`` ones are right."""
    out = {s: {"answerable": 0, "unanswerable": 0, "right": 0} for s in ("answered", "uncertain", "not_found")}
    for i, r in enumerate(rows):
        state = state_of(conf.get(i), t_answer, t_refuse)
        out[state]["answerable" if r.answerable else "unanswerable"] += 1
        out[state]["right"] += r.correct
    return out


def report(rows: list[Row], conf: dict[int, float], t_answer: float, t_refuse: float) -> dict[str, Any]:
    """Per set: AURC of P(yes) alone, of the old policy and of the learned confidence, and the states."""
    out: dict[str, Any] = {}
    for name in dict.fromkeys(r.set for r in rows):
        idx = [i for i, r in enumerate(rows) if r.set == name]
        right = [rows[i].correct for i in idx]
        learned = [conf.get(i, 0.0) if rows[i].candidate else 0.0 for i in idx]
        p_yes = [rows[i].p_yes if rows[i].candidate else 0.0 for i in idx]
        old = [float(rows[i].old_answered) + 0.5 * rows[i].candidate for i in idx]
        sub = {j: conf[i] for j, i in enumerate(idx) if i in conf}
        out[name] = {
            "questions": len(idx),
            "aurc": {
                "p_yes": round(aurc(p_yes, right), 4),
                "old_policy": round(aurc(old, right), 4),
                "learned": round(aurc(learned, right), 4),
            },  # fmt: skip
            "states": states([rows[i] for i in idx], sub, t_answer, t_refuse),
        }
    return out


def markdown(figures: dict[str, Any]) -> str:
    """The report's two tables (AURC; the three states) as Markdown, for docs/."""
    sets = figures["sets"]
    out = [
        "| set | questions | P(yes) alone | old policy | learned | learned vs P(yes) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, v in sets.items():
        a = v["aurc"]
        change = (a["learned"] - a["p_yes"]) / a["p_yes"] if a["p_yes"] else 0.0
        out.append(
            f"| {name} | {v['questions']} | {a['p_yes']:.3f} | {a['old_policy']:.3f} | {a['learned']:.3f} | {change:+.0%} |"
        )
    out += ["", "| set | answered: answerable / unanswerable (right) | uncertain: answerable / unanswerable (right) | not_found: answerable / unanswerable |",
            "| --- | --- | --- | --- |"]  # fmt: skip
    for name, v in sets.items():
        st = v["states"]
        cells = [f"{st[s]['answerable']} / {st[s]['unanswerable']}" + (f" ({st[s]['right']})" if s != "not_found" else "")
                 for s in ("answered", "uncertain", "not_found")]  # fmt: skip
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def plot(rows: list[Row], conf: dict[int, float], path: Path) -> None:
    """Risk–coverage curves of P(yes) alone, the old policy and the learned confidence, one
    panel per set (matplotlib, from the test extras)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sets = list(dict.fromkeys(r.set for r in rows))
    fig, axes = plt.subplots(1, len(sets), figsize=(4.2 * len(sets), 3.6), squeeze=False)
    for ax, name in zip(axes[0], sets):
        idx = [i for i, r in enumerate(rows) if r.set == name]
        right = [rows[i].correct for i in idx]
        scores = {
            "P(yes) alone": [rows[i].p_yes if rows[i].candidate else 0.0 for i in idx],
            "old policy": [float(rows[i].old_answered) + 0.5 * rows[i].candidate for i in idx],
            "learned": [conf.get(i, 0.0) if rows[i].candidate else 0.0 for i in idx],
        }
        for label, score in scores.items():
            pts = curve(score, right)
            ax.plot([c for c, _ in pts], [r for _, r in pts], label=f"{label} (AURC {aurc(score, right):.3f})")
        ax.set_title(f"{name} ({len(idx)} questions)")
        ax.set_xlabel("coverage (share of questions answered)")
        ax.set_ylabel("risk (share of those wrong)")
        ax.set_ylim(0, 1)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def write_per_question(
    path: Path, records: list[dict[str, Any]], rows: list[Row], conf: dict[int, float], t_answer: float, t_refuse: float
) -> None:
    """One JSON line per question: its set, id, confidence (null without a candidate), state and
    whether its shown answer is right, most confident first."""
    lines = []
    for i, (rec, r) in enumerate(zip(records, rows)):
        c = conf.get(i)
        lines.append({"set": r.set, "id": rec["id"], "question": rec["question"],
                      "confidence": None if c is None else round(c, 4),
                      "state": state_of(c, t_answer, t_refuse), "right": r.correct})  # fmt: skip
    lines.sort(key=lambda d: -(d["confidence"] or 0.0))
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m assistant.evaluate.confidence_train", description=__doc__.split("\n\n")[0]
    )
    p.add_argument("--records", type=Path, required=True, help="recorded questions (.jsonl or .jsonl.gz)")
    p.add_argument("--pool", type=Path, default=Path("../shared/eval/squad-dev/train-pool.jsonl"), help="for its hash")
    p.add_argument("--precision", type=float, default=0.95, help="share of answered that must be right (0.95)")
    p.add_argument("--max-not-found", type=float, default=0.05, help="share of answerable allowed not found (0.05)")
    p.add_argument("--policy", type=Path, help="policy fields (JSON) to replay under instead of the defaults")
    p.add_argument("--without", default="", metavar="NAMES", help="inputs to leave out, comma-separated (an ablation)")
    p.add_argument("--write", action="store_true", help="write the model and its manifest into the package")
    p.add_argument("--report", type=Path, help="also write the report (JSON) here")
    p.add_argument("--plot", type=Path, help="also draw the risk–coverage curves (PNG) here")
    p.add_argument(
        "--per-question", type=Path, help="also write each question's confidence and state (JSON lines) here"
    )
    p.add_argument("--markdown", action="store_true", help="print the tables as Markdown instead of the JSON")
    args = p.parse_args(argv)
    policy = Policy.from_file(args.policy) if args.policy else Policy()
    records = read_records(args.records)
    rows = [to_row(r, policy) for r in records]
    left_out = {n for n in args.without.split(",") if n}
    if left_out - set(NAMES):
        p.error(f"--without: unknown inputs {sorted(left_out - set(NAMES))}; they are {', '.join(NAMES)}")
    names = tuple(n for n in NAMES if n not in left_out)
    conf = out_of_fold(rows, names)
    train_rows = [r for r in rows if r.candidate and r.set not in HELD_OUT]
    c = choose_c(train_rows, names)
    final = fit(train_rows, c, names)
    for i, r in enumerate(rows):
        if r.set in HELD_OUT and r.candidate:
            conf[i] = final.predict(r.x)  # never trained on: the final model's own figure
    t_answer, t_refuse = thresholds(rows, conf, args.precision, args.max_not_found)
    figures = {
        "thresholds": {"answered": round(t_answer, 4), "not_found": round(t_refuse, 4)},
        "training_candidates": len(train_rows),
        "sets": report(rows, conf, t_answer, t_refuse),
    }
    print(markdown(figures) if args.markdown else json.dumps(figures, indent=2))
    if args.report:
        args.report.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    if args.plot:
        plot(rows, conf, args.plot)
    if args.per_question:
        write_per_question(args.per_question, records, rows, conf, t_answer, t_refuse)
    if args.write:
        WEIGHTS.write_text(json.dumps(final.to_json(), indent=2) + "\n", encoding="utf-8")
        manifest = {
            "weights": WEIGHTS.name,
            "weights_sha256": sha256(WEIGHTS),
            "command": "python -m assistant.evaluate.confidence_train " + " ".join(argv or sys.argv[1:]),
            "seed": SEED,
            "model": f"scikit-learn LogisticRegression(C={c}) on standardized inputs",
            "data": {
                "records": str(args.records),
                "records_sha256": sha256(args.records),
                "train_pool_sha256": sha256(args.pool) if args.pool.is_file() else "",
            },  # fmt: skip
            "figures": figures,
        }
        MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
