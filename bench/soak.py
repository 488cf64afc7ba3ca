"""Soak test: simulated users against a running `assistant serve` on loopback.

    .venv/bin/assistant serve --port 7860 &
    .venv/bin/python bench/soak.py --url http://127.0.0.1:7860/ --pid $! --users 20 --minutes 5

Each user loops until the time is up: three in four requests are retrievals
(/retrieve), one in four a full answer (/ask). Bounded in time and in count
(--max-requests). Every 10 s the server's RSS is sampled from /proc. Prints requests
served, errors, p50/p95 latency per kind and the RSS series.
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
from pathlib import Path

from assistant.config import PROJECT_ROOT
from assistant.evaluate.metrics import load_dataset, percentile


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:7860/")
    ap.add_argument("--pid", type=int, required=True, help="server process id, for RSS sampling")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--minutes", type=float, default=5)
    ap.add_argument("--max-requests", type=int, default=5000)
    args = ap.parse_args()
    from gradio_client import Client

    questions = [ex.question for ex in load_dataset(PROJECT_ROOT / "eval" / "dev.jsonl") if not ex.history]
    stop_at = time.time() + args.minutes * 60
    lock = threading.Lock()
    lat: dict[str, list[float]] = {"retrieve": [], "ask": []}
    errors: list[str] = []
    count = [0]

    def user(n: int) -> None:
        rng = random.Random(n)
        client = Client(args.url, verbose=False)
        while time.time() < stop_at:
            with lock:
                if count[0] >= args.max_requests:
                    return
                count[0] += 1
            kind = "ask" if rng.random() < 0.25 else "retrieve"
            q = rng.choice(questions)
            t = time.perf_counter()
            try:
                if kind == "ask":
                    client.predict(q, "[]", 5, api_name="/ask")
                else:
                    client.predict(q, 5, api_name="/retrieve")
                with lock:
                    lat[kind].append(time.perf_counter() - t)
            except Exception as exc:
                with lock:
                    errors.append(f"{kind}: {type(exc).__name__}: {str(exc)[:120]}")

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(args.users)]
    samples = [(0, rss_mb(args.pid))]
    t0 = time.time()
    for th in threads:
        th.start()
    while any(th.is_alive() for th in threads):
        time.sleep(10)
        samples.append((round(time.time() - t0), rss_mb(args.pid)))
    print(
        json.dumps(
            {
                "users": args.users,
                "minutes": args.minutes,
                "served": {k: len(v) for k, v in lat.items()},
                "errors": len(errors),
                "error_examples": errors[:5],
                "retrieve_s_p50": round(percentile(lat["retrieve"], 50), 2),
                "retrieve_s_p95": round(percentile(lat["retrieve"], 95), 2),
                "ask_s_p50": round(percentile(lat["ask"], 50), 2),
                "ask_s_p95": round(percentile(lat["ask"], 95), 2),
                "rss_mb_over_time": samples,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
