"""Opening the lexical (BM25) index at 1k, 10k and 100k chunks: rebuilt from Chroma vs loaded from disk.

    .venv/bin/python bench/bench_lexical.py [--sizes 1000,10000,100000] [--runs 3] [--out docs/lexical.json]

A synthetic store is grown in a temporary folder: seed sentences recombined with names and
numbers varied (as in bench_scale.py), with random unit vectors, since only the lexical
side is timed. For each size, the median of --runs of:

- rebuild: read every chunk from Chroma and tokenize it (what every process did before
  the lexical index was saved);
- load: read the saved file (``assistant.store.bm25_file.load``);
- update: bring the saved file up to date after 20 chunks are added (load the old one,
  tokenize only the new chunks, save), which is what ``assistant index`` does;
- cold ``assistant retrieve`` as a new process, with the file saved and without it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_scale import seed_sentences, vary  # noqa: E402

from assistant.config import PROJECT_ROOT, Settings  # noqa: E402
from assistant.store import bm25_file as lexical_store  # noqa: E402
from assistant.store.chroma import bump_version, index_version, open_collection  # noqa: E402

VENV_BIN = Path(sys.executable).parent


def grow(s: Settings, target: int, rng: random.Random, sentences: list[str]) -> None:
    """Add synthetic chunks (20 per article) until the store holds ``target``."""
    col = open_collection(s, create=True)
    vec_rng = np.random.default_rng(target)
    for start in range(col.count(), target, 5000):
        m = min(5000, target - start)
        docs = [" ".join(vary(rng.choice(sentences), rng) for _ in range(rng.randint(1, 3))) for _ in range(m)]
        v = vec_rng.normal(size=(m, 384)).astype(np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        metas = []
        for j, d in enumerate(docs):
            art = (start + j) // 20
            metas.append(
                {
                    "source": f"/synthetic/{art}.txt",
                    "path": f"/synthetic/{art}.txt",
                    "title": f"Report {art}",
                    "publisher": "",
                    "date": "",
                    "start": 0,
                    "end": len(d),
                    "ordinal": (start + j) % 20,
                    "speakers": rng.choice(["", "", "", "Anna Park", "Li Chen; Omar Sato"]),
                    "quote_of": "",
                    "file_sha": "synthetic",
                }
            )
        col.add(ids=[f"syn-{start + j}" for j in range(m)], documents=docs, metadatas=metas, embeddings=v)
    bump_version(col)


def median_seconds(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return round(statistics.median(times), 3)


def cold_retrieve(s: Settings) -> None:
    r = subprocess.run(
        [str(VENV_BIN / "assistant"), "retrieve", "What did Anna Park say about the alliance?", "--k", "3", "-q"],
        env={**os.environ, "ASSISTANT_INDEX_DIR": str(s.index_dir)},
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        raise SystemExit(r.stderr)


def measure(s: Settings, runs: int, rng: random.Random, sentences: list[str]) -> dict[str, float]:
    col = open_collection(s)
    version = index_version(col)
    row: dict[str, float] = {"chunks": col.count()}
    row["rebuild_s"] = median_seconds(lambda: lexical_store.from_collection(open_collection(s)), runs)
    lexical_store.save(s, version, lexical_store.from_collection(col))
    row["file_mb"] = round(lexical_store.path_for(s).stat().st_size / 1e6, 1)
    row["load_s"] = median_seconds(lambda: lexical_store.load(s, version), runs)

    old = lexical_store.load(s, version)
    added = [
        (f"new-{i}", " ".join(vary(rng.choice(sentences), rng) for _ in range(2)), {"title": "New report"})
        for i in range(20)
    ]

    def update() -> None:
        prev = lexical_store.load(s, version)
        lexical_store.save(s, version, lexical_store.updated(prev, set(), added))  # re-added ids replace theirs

    row["update_20_chunks_s"] = median_seconds(update, runs)
    lexical_store.save(s, version, old)
    row["cold_retrieve_loaded_s"] = median_seconds(lambda: cold_retrieve(s), runs)

    def without_file() -> None:
        lexical_store.path_for(s).unlink(missing_ok=True)
        cold_retrieve(s)

    row["cold_retrieve_rebuilt_s"] = median_seconds(without_file, runs)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "lexical.json")
    args = ap.parse_args()
    sentences = seed_sentences()
    rng = random.Random(0)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        s = Settings.from_env().with_(index_dir=Path(tmp) / "index", quiet=True)
        for size in (int(x) for x in args.sizes.split(",")):
            grow(s, size, rng, sentences)
            rows.append(measure(s, args.runs, rng, sentences))
            print(json.dumps(rows[-1]), flush=True)
    args.out.write_text(json.dumps({"runs": args.runs, "rows": rows}, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
