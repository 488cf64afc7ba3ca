"""Probe (docs/evaluation.md, options table): the 1.5B model copied 6 of 167 quotes word for word, so quote-first refused nearly every answer (76 of 80 answerable squad-dev questions); it stays out of the product.

Measure the quote-first option of the support check (for docs/evaluation.md).

The model first copies the words that answer (``Quote [n]: "…"``), then answers
(``Answer: … [n]``).  The quote must be found, word for word, in passage n; if it is not,
the answer is refused.  Everything else is the product's own pipeline: the same retrieval,
evidence, claim–span measurements and refusal policy (replayed over the same grid as
``assistant eval --calibrate``), so the figures compare directly with its option table.

    .venv/bin/python bench/quote_first.py --set eval/dev.jsonl \\
        --set ../shared/eval/squad-dev/questions.jsonl --save-records /tmp/quote_first.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from assistant import calibrate  # noqa: E402
from assistant.answer.citations import measure_sentences  # noqa: E402
from assistant.answer.evidence import Evidence  # noqa: E402
from assistant.answer.refusal import leads  # noqa: E402
from assistant.config import PROJECT_ROOT, Settings
from assistant.retrieve.retriever import Passage, Retriever  # noqa: E402

QUOTE = re.compile(r"Quote\s*\[(\d{1,2})\]\s*:\s*[\"“]?(.+?)[\"”]?\s*$", re.M)
ANSWER = re.compile(r"Answer\s*:\s*(.+)", re.S)


def _norm(s: str) -> str:
    return " ".join(s.replace("“", '"').replace("”", '"').replace("’", "'").split()).lower().strip(" .\"'")


def split_reply(raw: str, evidence: list[Evidence]) -> tuple[str, bool]:
    """The answer line, and whether the quote was found word for word in the passage it names."""
    q, a = QUOTE.search(raw), ANSWER.search(raw)
    answer = a.group(1).strip() if a else raw.strip()
    if not q:
        return answer, False
    n, quote = int(q.group(1)), _norm(q.group(2))
    found = 1 <= n <= len(evidence) and len(quote) >= 3 and quote in _norm(evidence[n - 1].text)
    return answer, found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", dest="sets", action="append", required=True, metavar="DATASET[=CORPUS]")
    ap.add_argument("--save-records", type=Path)
    ap.add_argument("--records", type=Path, help="score saved records instead of answering again")
    args = ap.parse_args()
    s = Settings.from_env()
    if args.records:
        records = calibrate.load_records(args.records)
    else:
        from assistant.llm import get_llm

        sets = [calibrate.EvalSet.parse(x, s.corpus_dir) for x in args.sets]
        progress = lambda m: print(m, file=sys.stderr)  # noqa: E731
        records = calibrate.collect(sets, s, get_llm(s, say=print), progress, system_prompt="answer_system_quote")
        retrievers: dict[str, Retriever] = {}
        for rec in records:
            corpus = rec["corpus"]
            if corpus not in retrievers:
                retrievers[corpus] = Retriever(calibrate.corpus_settings(s, Path(corpus)))
            r = retrievers[corpus]
            evidence = [Evidence(**e) for e in rec["evidence"]]
            passages = [Passage(**p) for p in rec["retrieved"]]
            answer, found = split_reply(rec["raw_answer"], evidence)
            f = rec["features"]
            rec["quote_found"] = found
            if evidence and not f["model_refused"]:
                sentences = measure_sentences(answer, evidence, r.embedder, r.idf, leads(passages, evidence))
                f["sentences"] = [x.to_json() for x in sentences]
                # A quote that is not in its passage leaves nothing checkable: the answer is refused.
                f["model_refused"] = not found
            rec["raw_reply"], rec["raw_answer"] = rec["raw_answer"], answer
    if args.save_records:
        calibrate.save_records(args.save_records, records)
    rows = calibrate.sweep(records, s.load_policy(), calibrate.GRID, calibrate.MAX_FALSE_REFUSALS)
    best = rows[0]
    located = sum(r.get("quote_found", False) for r in records)
    formatted = sum(bool(QUOTE.search(r.get("raw_reply", ""))) for r in records)
    summary = {"setting": best[1], "metrics": best[2], "records": len(records), "replies_with_a_quote_line": formatted,
               "quotes_found_in_their_passage": located}  # fmt: skip
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    sys.path.insert(0, str(PROJECT_ROOT))
    main()
