"""Send N concurrent questions to a running `assistant serve` through gradio_client.

    .venv/bin/assistant serve --port 7860 &
    .venv/bin/python bench/load_ui.py --url http://127.0.0.1:7860/ --concurrency 10

Reports how many were answered (status answered/not_found, no error) and the p50/p95
latency as each client saw it. Only talks to the given (loopback) URL; bounded in count.
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor

from assistant.config import PROJECT_ROOT
from assistant.evaluate.metrics import load_dataset, percentile


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:7860/")
    ap.add_argument("--concurrency", type=int, default=10)
    args = ap.parse_args()
    from gradio_client import Client

    questions = [ex.question for ex in load_dataset(PROJECT_ROOT / "eval" / "dev.jsonl") if not ex.history]
    questions = questions[: args.concurrency]

    def one(q: str) -> tuple[float, str]:
        client = Client(args.url, verbose=False)
        t = time.perf_counter()
        try:
            r = client.predict(q, "[]", 5, api_name="/ask")
            return time.perf_counter() - t, r.get("status", "error")
        except Exception as exc:
            return time.perf_counter() - t, f"error: {exc}"

    t0 = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        results = list(pool.map(one, questions))
    wall = time.perf_counter() - t0
    lat = [r[0] for r in results]
    print(
        json.dumps(
            {
                "concurrent_questions": len(results),
                "answered": sum(r[1] in ("answered", "not_found") for r in results),
                "errors": [r[1] for r in results if r[1].startswith("error")],
                "latency_s_p50": round(percentile(lat, 50), 1),
                "latency_s_p95": round(percentile(lat, 95), 1),
                "wall_s": round(wall, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
