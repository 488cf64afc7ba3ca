"""Index build time for a folder (default seeds/) and warm retrieval latency p50/p95.

    .venv/bin/python bench/bench_retrieval.py [--corpus seeds] [--repeat 20]

Builds a fresh index in a temporary folder (so the default index is untouched), then
times every dev-set question `--repeat` times after one warm-up pass.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from assistant.config import PROJECT_ROOT, Settings
from assistant.evaluate.metrics import load_dataset, percentile  # noqa: E402
from assistant.retrieve.retriever import Retriever  # noqa: E402
from assistant.store.build import build_index  # noqa: E402
from assistant.store.embed import get_index_embedder  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "seeds")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()

    get_index_embedder()  # model load is not part of the build time
    with tempfile.TemporaryDirectory() as tmp:
        s = Settings.from_env().with_(index_dir=Path(tmp), quiet=True)
        t0 = time.perf_counter()
        report = build_index([args.corpus], s, say=lambda m: None)
        build_s = time.perf_counter() - t0
        retriever = Retriever(s)
        questions = [ex.question for ex in load_dataset(PROJECT_ROOT / "eval" / "dev.jsonl")]
        for q in questions:
            retriever.search(q, 5)
        times = []
        for _ in range(args.repeat):
            for q in questions:
                t = time.perf_counter()
                retriever.search(q, 5)
                times.append((time.perf_counter() - t) * 1000)
    out = {
        "corpus": str(args.corpus),
        "chunks": report.total_chunks,
        "index_build_s": round(build_s, 2),
        "chunks_per_s": round(report.total_chunks / build_s, 1),
        "queries": len(times),
        "retrieve_ms_p50": round(percentile(times, 50), 2),
        "retrieve_ms_p95": round(percentile(times, 95), 2),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
