"""Choose the ``conflict_*`` thresholds of the policy: a grid over question sets, no model needed.

    .venv/bin/python bench/calibrate_conflicts.py \\
        eval/dev.jsonl:index \\
        ../shared/eval/squad-dev/questions.jsonl:/tmp/squad-dev-index \\
        tests/data/conflicts/questions.jsonl:/tmp/conflict-index [--out docs/calibration/conflicts.txt]

Each argument is a question set and the index that holds its articles (build them first with
``assistant index FOLDER --index-dir DIR``).  For every combination of thresholds it runs
retrieval and :func:`assistant.answer.conflicts.find_conflicts` on every question and counts:

- found: ``conflict`` questions where every fact group is one side's value;
- false: other questions (answerable or not) that get a conflict.

The chosen row is the one with the fewest false conflicts, then the most found, then the
thresholds nearest the middle of the grid (so a small shift does not change the outcome).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.answer.condense import condense  # noqa: E402
from assistant.answer.conflicts import find_conflicts  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.evaluate.metrics import facts_present, load_dataset  # noqa: E402
from assistant.retrieve.retriever import Retriever  # noqa: E402

GRID = {
    "conflict_min_relevance": [0.3, 0.35, 0.4, 0.45, 0.5],
    "conflict_min_likeness": [0.4, 0.45, 0.5, 0.55, 0.6],
    "conflict_same_story": [0.2, 0.3, 0.4, 0.5],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sets", nargs="+", help="QUESTIONS.jsonl:INDEX_DIR")
    parser.add_argument("--out", type=Path, help="also write the table here")
    args = parser.parse_args()
    base = Settings.from_env()
    policy = base.load_policy()
    runs = []  # (examples, retrieved pools, retriever) per set
    for item in args.sets:
        questions, _, index_dir = item.partition(":")
        retriever = Retriever(base.with_(index_dir=Path(index_dir)))
        examples = load_dataset(Path(questions))
        questions = [condense(ex.question, ex.history) for ex in examples]  # as the answerer asks them
        pools = [retriever.search(q, policy.conflict_pool) for q in questions]
        runs.append((examples, questions, pools, retriever))
    n_conflict = sum(ex.kind == "conflict" for examples, *_ in runs for ex in examples)
    n_other = sum(ex.kind != "conflict" for examples, *_ in runs for ex in examples)
    rows = []
    for values in itertools.product(*GRID.values()):
        p = policy.with_(**dict(zip(GRID, values)))
        found = false = 0
        for examples, questions, pools, retriever in runs:
            for ex, question, pool in zip(examples, questions, pools):
                conflicts = find_conflicts(question, pool, retriever.idf, retriever.embedder, p)
                if ex.kind != "conflict":
                    false += bool(conflicts)
                    continue
                sides = [s.value for c in conflicts for s in c.sides]
                found += all(any(facts_present([g], v) for v in sides) for g in ex.facts)
        middle = sum(abs(g.index(v) - (len(g) - 1) / 2) for g, v in zip(GRID.values(), values))
        rows.append((false, -found, middle, values, found))
    rows.sort()
    head = f"{'min_relevance':>13} {'min_likeness':>12} {'same_story':>10} {'found':>8} {'false':>8}"
    lines = [f"conflict questions: {n_conflict}; other questions: {n_other}", head]
    for false, _, _, values, found in rows[:15]:
        lines.append(f"{values[0]:>13} {values[1]:>12} {values[2]:>10} {found:>4}/{n_conflict:<3} {false:>4}/{n_other}")
    best = rows[0][3]
    lines.append("chosen: " + ", ".join(f"{k}={v}" for k, v in zip(GRID, best)))
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
