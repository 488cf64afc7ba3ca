"""Probe (docs/evaluation.md, at f077e99): the plain verify prompt (prompts/verify.txt) refuses unanswerable answers without refusing correct ones; a prompt warning of swapped details refuses correct answers as often.

Probe: which yes/no prompt, shown only the cited spans and the question, tells the answers to
unanswerable questions from correct ones?

Replays the default policy on calibration records (no regeneration), takes the spans each shown
answer cites, and asks the embedded model each prompt below in a fresh context, reading
P("yes").  ``--analyse`` then counts, per prompt and threshold, which shown answers it would
refuse: to unanswerable questions, correct ones and wrong ones, per set.

    .venv/bin/python bench/verify_prompt_probe.py RECORDS.jsonl OUT.jsonl     # ~2.5 s per answer
    .venv/bin/python bench/verify_prompt_probe.py OUT.jsonl --analyse

Prompt ``plain`` is what ``prompts/verify.txt`` now holds; ``warned`` adds a warning about
swapped details.  The records must be those of the answers to probe (the run behind
docs/evaluation.md used docs/calibration/records.jsonl as of commit 37f65f7).
"""

import json
import sys
import time
from collections import Counter
from pathlib import Path

from assistant.config import read_prompt

PROMPTS = {
    "plain": read_prompt("verify").strip(),  # what the product asks
    "warned": "Read the text and the question carefully. Questions can contain a detail that differs from the "
    "text (another name, date, place, a word with the opposite meaning, or a negation), and then the text does "
    "not answer them.\n\nText: {text}\n\nQuestion: {question}\n\nDoes the text answer this exact question? "
    "Reply yes or no.",
}
THRESHOLDS = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]


def probe(records_path: str, out_path: str) -> None:
    from langchain_core.messages import HumanMessage

    from assistant.config import Settings
    from assistant.evaluate.calibrate import load_records, replay
    from assistant.evaluate.metrics import facts_present
    from assistant.llm import get_llm
    from assistant.policy import Policy

    llm = get_llm(Settings.from_env(), say=lambda m: None)
    policy = Policy().with_(verify_min=0.0)  # the answers shown before any model verification
    t0 = time.time()
    with open(out_path, "w") as out:
        for r in load_records(Path(records_path)):
            o = replay(r, policy)
            if o["status"] != "answered":
                continue
            right = r["kind"] != "unanswerable" and facts_present(r["facts"], o["answer"])
            res = {"id": r["id"], "set": r["set"], "label": "unanswerable" if r["kind"] == "unanswerable" else
                   ("correct" if right else "wrong")}  # fmt: skip
            text = " ".join(" ".join(c.split()) for c in o["cited"])
            for name, template in PROMPTS.items():
                res[name] = llm.yes_probability([HumanMessage(template.format(text=text, question=r["question"]))])
            out.write(json.dumps(res) + "\n")
            out.flush()
    print(f"done in {time.time() - t0:.0f} s")


def analyse(path: str) -> None:
    rows = [json.loads(line) for line in open(path)]
    groups = sorted({(r["set"], r["label"]) for r in rows})
    print("shown answers:", ", ".join(f"{s} {lab} {n}" for (s, lab), n in sorted(Counter(
        (r["set"], r["label"]) for r in rows).items())))  # fmt: skip
    for name in PROMPTS:
        print(f"\n== {name}: shown answers it would refuse")
        print("| P(yes) below | " + " | ".join(f"{s} {lab}" for s, lab in groups) + " |")
        print("|" + " --- |" * (1 + len(groups)))
        for t in THRESHOLDS:
            c = Counter((r["set"], r["label"]) for r in rows if r[name] < t)
            print(f"| {t} | " + " | ".join(str(c[g]) for g in groups) + " |")


if __name__ == "__main__":
    if "--analyse" in sys.argv:
        analyse(sys.argv[1])
    else:
        probe(sys.argv[1], sys.argv[2])
