"""Answer latency with the embedded model over the dev set: time to first token and total
(p50/p95), and this process's peak RSS.

    .venv/bin/python bench/bench_answer.py [--limit N]
"""

from __future__ import annotations

import argparse
import json
import resource

from assistant.answer.answerer import Answerer  # noqa: E402
from assistant.config import PROJECT_ROOT, Settings
from assistant.evaluate.metrics import load_dataset, percentile  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=0, help="only the first N questions")
    args = ap.parse_args()
    answerer = Answerer(Settings.from_env(), say=lambda m: None)
    examples = load_dataset(PROJECT_ROOT / "eval" / "dev.jsonl")
    if args.limit:
        examples = examples[: args.limit]
    answerer.answer(examples[0].question)  # warm-up: model load and prompt-prefix cache
    first, total = [], []
    for ex in examples:
        if ex.kind == "unanswerable":
            continue
        r = answerer.answer(ex.question, ex.history)
        first.append(r.timings_ms["first_token"])
        total.append(r.timings_ms["total"])
    print(
        json.dumps(
            {
                "questions": len(first),
                "first_token_ms_p50": round(percentile(first, 50)),
                "first_token_ms_p95": round(percentile(first, 95)),
                "total_ms_p50": round(percentile(total, 50)),
                "total_ms_p95": round(percentile(total, 95)),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "model": answerer.model_name,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
