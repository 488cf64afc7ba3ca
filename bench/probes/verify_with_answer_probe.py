"""Probe (docs/confidence.md): a second yes/no verification that also shows the model's own answer ranks the recorded candidates no better than P(yes), alone or added to it.

    .venv/bin/python bench/probes/verify_with_answer_probe.py [--limit N]

For each recorded candidate (docs/confidence/records.jsonl, the default policy with
verify_min=0) it asks the embedded model "Is the proposed answer a correct answer to the
question, according to the text?" over the cited spans, caches the probability in
/tmp/verify_with_answer.jsonl (resumable), then prints the AUC of P(yes), of the new
probability and of their logit sum, on the training sets and on the held-out seeds sets.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from pathlib import Path

from langchain_core.messages import HumanMessage
from sklearn.metrics import roc_auc_score

from assistant.answer.compose import compose
from assistant.answer.evidence import Evidence
from assistant.answer.refusal import Features, decide
from assistant.config import Settings
from assistant.evaluate import confidence_train as ct
from assistant.llm import get_llm
from assistant.policy import Policy

TEMPLATE = (
    "Text: {text}\n\nQuestion: {question}\n\nProposed answer: {answer}\n\n"
    "Is the proposed answer a correct answer to the question, according to the text? Reply yes or no."
)
CACHE = Path("/tmp/verify_with_answer.jsonl")


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=Path, default=Path("docs/confidence/records.jsonl"))
    ap.add_argument("--limit", type=int, default=200, help="candidates to ask about (cached)")
    args = ap.parse_args()
    policy = Policy()
    done = {json.loads(line)["key"]: json.loads(line)["p2"] for line in CACHE.open()} if CACHE.exists() else {}
    records = ct.read_records(args.records)
    llm = None
    with CACHE.open("a") as fh:
        for r in records:
            if len(done) >= args.limit:
                break
            if r["key"] in done:
                continue
            f, ev = Features.from_json(r["features"]), [Evidence(**e) for e in r["evidence"]]
            d = decide(f, policy.with_(verify_min=0.0))
            if d.status != "answered" or d.method != "generated":
                continue
            answer = re.sub(r"\[\d+\]", "", compose(f, d, ev, r["question"], policy)[0]).strip()
            text = " ".join(" ".join(e.text.split()) for e in d.cited(ev))
            llm = llm or get_llm(Settings.from_env(), say=lambda m: None)
            prompt = TEMPLATE.format(text=text, question=r["question"], answer=answer)
            done[r["key"]] = llm.yes_probability([HumanMessage(prompt)])
            fh.write(json.dumps({"key": r["key"], "p2": done[r["key"]]}) + "\n")
            fh.flush()
    rows = [(ct.to_row(r, policy), done[r["key"]]) for r in records if r["key"] in done]
    for name, keep in (
        ("training sets", lambda s: s not in ct.HELD_OUT),
        ("held-out seeds", lambda s: s in ct.HELD_OUT),
    ):
        sub = [(row, p2) for row, p2 in rows if row.candidate and keep(row.set)]
        y = [row.correct for row, _ in sub]
        if len(set(y)) < 2:
            continue
        a = roc_auc_score(y, [row.x["p_yes_logit"] for row, _ in sub])
        b = roc_auc_score(y, [_logit(p2) for _, p2 in sub])
        c = roc_auc_score(y, [row.x["p_yes_logit"] + _logit(p2) for row, p2 in sub])
        print(f"{name}: {len(sub)} candidates, AUC P(yes) {a:.3f}, with the answer {b:.3f}, sum {c:.3f}")


if __name__ == "__main__":
    main()
