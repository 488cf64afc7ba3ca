"""Probe (docs/evaluation.md, calibration at 37f65f7): five other yes/no verification prompts separated squad-dev's unanswerable questions no better than the recorded turn.

Probe: do other yes/no prompts tell unanswerable questions from answerable ones better than
the recorded verification turn?

Replays the recorded answers of docs/calibration/records.jsonl through the embedded model (no
regeneration) and records P(yes) for three prompts: one asked with the question before answering
(``pre``) and two after the recorded answer.  ``--analyse`` then counts, for each prompt and
threshold, how many of the answers the default policy shows it would refuse: unanswerable,
correct and wrong ones.

    .venv/bin/python bench/answerability_probe.py OUT.jsonl            # about 5 s per record
    .venv/bin/python bench/answerability_probe.py OUT.jsonl --analyse
"""

import json
import sys
import time
from pathlib import Path

from langchain_core.messages import AIMessage, HumanMessage

from assistant.answer.refusal import Features, decide
from assistant.evaluate.calibrate import load_records
from assistant.evaluate.metrics import facts_present
from assistant.policy import Policy

RECORDS = Path(__file__).resolve().parents[2] / "docs" / "calibration" / "records.jsonl"
PRE = "Does one of the passages answer this exact question, about the same person, thing, place, time and event? Reply yes or no."
POST = {
    "post_exact": "Does your answer give exactly what the question asks about, for the same person, thing, place, "
    "time and event that the passages name? Reply yes or no.",
    "post_premise": "Check the question against the passages. Does a passage state every detail the question "
    "takes for granted? Reply yes or no.",
}


def probe(out_path: str) -> None:
    from assistant.answer.evidence import Evidence
    from assistant.answer.generate import Generator
    from assistant.config import Settings
    from assistant.llm import get_llm

    llm = get_llm(Settings.from_env(), say=lambda m: None)
    gen = Generator(llm, "local")
    t0 = time.time()
    with open(out_path, "w") as out:
        for i, r in enumerate(load_records(RECORDS)):
            ev = [Evidence(**e) for e in r["evidence"]]
            if not ev or r["features"].get("model_refused"):
                continue
            msgs = gen.messages(r["question"], ev)
            res = {"id": r["id"], "set": r["set"]}
            res["pre"] = llm.yes_probability(list(msgs[:-1]) + [HumanMessage(msgs[-1].content + "\n\n" + PRE)])
            for k, v in POST.items():
                res[k] = llm.yes_probability(msgs + [AIMessage(r["raw_answer"]), HumanMessage(v)])
            out.write(json.dumps(res) + "\n")
            out.flush()
            print(i, round(time.time() - t0), flush=True)


def analyse(path: str) -> None:
    recs = {(r["set"], r["id"]): r for r in load_records(RECORDS)}
    rows = []
    for line in open(path):
        p = json.loads(line)
        r = recs[(p["set"], p["id"])]
        if decide(Features.from_json(r["features"]), Policy()).status != "answered":
            continue
        una = r["kind"] == "unanswerable"
        good = not una and facts_present(r["facts"], r["raw_answer"])
        p["verify"] = r["features"].get("p_yes") or 0.0
        rows.append((p, una, good))
    print(f"{len(rows)} answers shown: {sum(u for _, u, _ in rows)} to unanswerable questions, "
          f"{sum(g for _, _, g in rows)} correct")  # fmt: skip
    for key in ("pre", *POST, "verify"):
        for th in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9):
            low = [(u, g) for p, u, g in rows if p[key] < th]
            print(f"{key:13} < {th}: refuses unanswerable {sum(u for u, _ in low)}, correct "
                  f"{sum(g for _, g in low)}, wrong {sum(not u and not g for u, g in low)}")  # fmt: skip


if __name__ == "__main__":
    analyse(sys.argv[1]) if "--analyse" in sys.argv else probe(sys.argv[1])
