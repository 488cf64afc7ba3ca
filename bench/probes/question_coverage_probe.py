"""Probe (docs/evaluation.md): the question's words missing from the cited text do not tell squad-dev's unanswerable questions apart (four measures; every threshold loses more correct answers than it refuses).

Probe: does "the cited text lacks the question's words" tell unanswerable questions apart?

Replays docs/calibration/records.jsonl under the default policy and takes the answers it shows
(method ``generated``).  For each, it measures how much of the question's content (IDF-weighted)
the cited passages lack, four ways:

* ``chunk``: the whole cited chunks with title, speaker and date (the product's question check);
* ``span``: only the cited sentences and their titles;
* ``paragraph``: the cited sentences with the rest of their paragraph around them;
* ``premise``: only the question words the answer repeats (the answer's premise), against the
  paragraph: a premise the text does not state is the usual sign of a made-up answer;

and prints, per threshold, how many answers each set would lose: correct (OK), wrong (WRONG) and
answers to unanswerable questions (UNA).  A useful check refuses many UNA and few OK.

    .venv/bin/python bench/question_coverage_probe.py
"""

from __future__ import annotations

import collections
from pathlib import Path

from assistant.answer.refusal import Features, decide
from assistant.answer.support import content_terms, weighted_coverage
from assistant.evaluate.calibrate import load_records, replay
from assistant.evaluate.metrics import facts_present
from assistant.ingest.load import source_text
from assistant.policy import Policy

RECORDS = Path(__file__).resolve().parents[2] / "docs" / "calibration" / "records.jsonl"
THRESHOLDS = [0.1, 0.2, 0.3, 0.4, 0.5]


def _paragraph(e: dict) -> str:
    """The cited span with the rest of its paragraph (what the reader sees around it)."""
    try:
        text = source_text(e["path"])
    except (OSError, UnicodeDecodeError):
        return e["text"]
    if text[e["start"] : e["end"]] != e["text"]:
        return e["text"]
    start = text.rfind("\n", 0, e["start"]) + 1
    end = text.find("\n", e["end"])
    return text[start : len(text) if end < 0 else end]


def measure(rec: dict, policy: Policy) -> dict | None:
    f = Features.from_json(rec["features"])
    d = decide(f, policy)
    if d.status != "answered" or d.method != "generated":
        return None
    weights = f.question.weights
    idf = lambda t: weights.get(t, 5.0)  # noqa: E731
    terms = content_terms(rec["question"])
    cited = sorted({m for _, ms in d.kept for m in ms})
    ev = {e["n"]: e for e in rec["evidence"]}
    spans = "\n".join(ev[m]["title"] + "\n" + ev[m]["text"] for m in cited if m in ev)
    paragraphs = spans + "\n" + "\n".join(_paragraph(ev[m]) for m in cited if m in ev)
    _, missing = weighted_coverage(terms, paragraphs, idf)
    premise = terms & content_terms(" ".join(f.sentences[i].text for i, _ in d.kept))
    premise_weight = sum(idf(t) for t in premise)
    answer = replay(rec, policy)["answer"]
    label = "UNA" if rec["kind"] == "unanswerable" else "OK" if facts_present(rec["facts"], answer) else "WRONG"
    return {
        "set": rec["set"],
        "label": label,
        "chunk": f.question.missing_share([m - 1 for m in cited]),
        "span": 1 - weighted_coverage(terms, spans, idf)[0],
        "paragraph": 1 - weighted_coverage(terms, paragraphs, idf)[0],
        "premise": sum(idf(t) for t in premise if t in missing) / premise_weight if premise_weight else 0.0,
    }


def main() -> None:
    policy = Policy()
    rows = [r for r in (measure(rec, policy) for rec in load_records(RECORDS)) if r]
    total = collections.Counter((r["set"], r["label"]) for r in rows)
    print("answers shown under the default policy:", dict(sorted(total.items())))
    for feature in ("chunk", "span", "paragraph", "premise"):
        print(f"\n== {feature}: answers lost when more than this share of the question is missing")
        for th in THRESHOLDS:
            lost = collections.Counter((r["set"], r["label"]) for r in rows if r[feature] > th)
            print(f"  > {th}: " + ", ".join(f"{s} {lab} {n}" for (s, lab), n in sorted(lost.items())))


if __name__ == "__main__":
    main()
