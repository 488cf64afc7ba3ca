"""Indexing throughput and retrieval latency as the corpus grows (1k, 10k, 100k chunks).

    .venv/bin/python bench/bench_scale.py [--sizes 1000,10000,100000] [--server] [--out docs/scale]

The corpus is synthetic: sentences of the seed articles recombined into new articles,
with names and numbers varied, so that it reads like news but does not repeat. Sizes up
to --embed-limit are embedded for real by `build_index`; larger sizes add varied copies
of those chunks whose vectors are the originals plus small noise (embedding 100k chunks
on 2 cores would take about an hour), so they measure search, not embedding. The
index grows incrementally (1k, then 10k, then 100k chunks) and after each step we time
the dev-set questions (warm, p50/p95) and record this process's RSS. With --server the
same chunks and vectors are copied into a `chroma run` on loopback and timed too.
Indexing throughput is compared with raw ``SentenceTransformer.encode`` on the same texts.
Writes a JSON file and a PNG plot next to --out.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from assistant.config import PROJECT_ROOT, Settings
from assistant.evaluate.metrics import load_dataset, percentile  # noqa: E402
from assistant.ingest.chunk import chunk_article, embedding_text, split_sentences  # noqa: E402
from assistant.ingest.load import read_article  # noqa: E402
from assistant.retrieve.retriever import Retriever  # noqa: E402
from assistant.store.build import build_index  # noqa: E402
from assistant.store.chroma import get_all, open_collection  # noqa: E402
from assistant.store.embed import get_index_embedder  # noqa: E402

FIRST = ["Min-jun", "Ji-woo", "Anna", "Tomas", "Li", "Wei", "Sara", "Omar", "Yuki", "Hana", "Pedro", "Ines"]
LAST = ["Park", "Choi", "Novak", "Schmidt", "Zhang", "Chen", "Haddad", "Sato", "Tanaka", "Silva", "Costa", "Berg"]


def seed_sentences() -> list[str]:
    out = []
    for f in sorted((PROJECT_ROOT / "seeds").glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        out += [text[a:b] for a, b in split_sentences(text) if b - a > 40]
    return out


def vary(sentence: str, rng: random.Random) -> str:
    s = re.sub(r"\b\d+\b", lambda m: str(rng.randint(2, 99)), sentence)
    return re.sub(
        r"\b(Shin Kak-soo|Hwang Ji-hwan|Song Zhongping|Zheng Yongnian|Kim Tae-hyo|Blinken|Austin|Pardo)\b",
        lambda m: f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        s,
    )


def write_articles(folder: Path, start: int, count: int, sentences: list[str]) -> None:
    for i in range(start, start + count):
        rng = random.Random(i)
        paras = []
        for _ in range(12):
            paras.append(" ".join(vary(rng.choice(sentences), rng) for _ in range(rng.randint(1, 3))))
        title = f"Report {i}: {vary(rng.choice(sentences), rng)[:80]}"
        (folder / f"a{i:06d}.txt").write_text(title + "\n\n" + "\n\n".join(paras) + "\n", encoding="utf-8")


def time_queries(retriever: Retriever, questions: list[str], rounds: int = 3) -> tuple[float, float]:
    for q in questions:
        retriever.search(q, 5)
    times = []
    for _ in range(rounds):
        for q in questions:
            t = time.perf_counter()
            retriever.search(q, 5)
            times.append((time.perf_counter() - t) * 1000)
    return round(percentile(times, 50), 1), round(percentile(times, 95), 1)


def start_server(path: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "chroma"),
            "run",
            "--path",
            str(path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("chroma run did not start")


def copy_to_server(local: Settings, remote: Settings) -> None:
    src = open_collection(local)
    dst = open_collection(remote, create=True)
    have = set(get_all(dst, [])["ids"])
    got = get_all(src, ["documents", "metadatas", "embeddings"])
    rows = [i for i, cid in enumerate(got["ids"]) if cid not in have]
    for i in range(0, len(rows), 1000):
        part = rows[i : i + 1000]
        dst.add(
            ids=[got["ids"][j] for j in part],
            documents=[got["documents"][j] for j in part],
            metadatas=[got["metadatas"][j] for j in part],
            embeddings=[got["embeddings"][j] for j in part],
        )


def synthesize(s: Settings, target: int, rng: random.Random) -> None:
    """Grow the store to ``target`` chunks with varied copies of the embedded chunks: new text
    (names and numbers changed) and the source vector plus small noise, renormalized."""
    import numpy as np

    col = open_collection(s)
    got = get_all(col, ["documents", "metadatas", "embeddings"])
    base = len(got["ids"])
    vecs = np.asarray(got["embeddings"], dtype=np.float32)
    need = target - col.count()
    for start in range(0, need, 5000):
        idx = [(start + j) % base for j in range(min(5000, need - start))]
        noise = np.random.default_rng(start).normal(0, 0.02, (len(idx), vecs.shape[1])).astype(np.float32)
        v = vecs[idx] + noise
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        col.add(
            ids=[f"syn-{start + j}" for j in range(len(idx))],
            documents=[vary(got["documents"][i], rng) for i in idx],
            metadatas=[got["metadatas"][i] | {"path": f"/synthetic/{start + j}.txt"} for j, i in enumerate(idx)],
            embeddings=v.tolist(),
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--server", action="store_true", help="also time a Chroma server on loopback")
    ap.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "scale")
    ap.add_argument(
        "--embed-limit",
        type=int,
        default=10000,
        help="sizes above this are reached with synthetic vectors (real ones plus noise) to save hours of embedding",
    )
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    sentences = seed_sentences()
    questions = [ex.question for ex in load_dataset(PROJECT_ROOT / "eval" / "dev.jsonl")]
    embedder = get_index_embedder()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpus = tmp / "corpus"
        corpus.mkdir()
        local = Settings.from_env().with_(index_dir=tmp / "index", quiet=True)
        server = None
        if args.server:
            server = start_server(tmp / "server", 8765)
            remote = local.with_(chroma_url="http://127.0.0.1:8765")
        articles = 0
        try:
            for target in sizes:
                # about 20 chunks per synthetic article
                while target <= args.embed_limit:
                    n = open_collection(local, create=True).count()
                    if n >= target:
                        break
                    add = max(1, (target - n) // 20 + 1)
                    write_articles(corpus, articles, add, sentences)
                    new = [corpus / f"a{i:06d}.txt" for i in range(articles, articles + add)]
                    articles += add
                    texts = []
                    for f in new:
                        a = read_article(f)
                        texts += [embedding_text(a.title, c.text, c.continues_quote_of) for c in chunk_article(a)]
                    t = time.perf_counter()
                    report = build_index(new, local, say=lambda m: None)
                    index_s = time.perf_counter() - t
                    sample = texts[:1000]
                    t = time.perf_counter()
                    embedder.embed_documents(sample)
                    raw_s = time.perf_counter() - t
                row = {"chunks": open_collection(local).count()}
                if target > args.embed_limit:
                    synthesize(local, target, random.Random(target))
                    row = {"chunks": open_collection(local).count(), "synthetic_vectors": True}
                else:
                    row["index_chunks_per_s"] = round(report.chunks_added / index_s, 1)
                    row["raw_encode_chunks_per_s"] = round(len(sample) / raw_s, 1)
                    row["index_vs_raw"] = round(row["index_chunks_per_s"] / row["raw_encode_chunks_per_s"], 2)
                t = time.perf_counter()
                retriever = Retriever(local, embedder=embedder)
                row["retriever_load_s"] = round(time.perf_counter() - t, 2)
                row["embedded_p50_ms"], row["embedded_p95_ms"] = time_queries(retriever, questions)
                row["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
                del retriever
                if server:
                    copy_to_server(local, remote)
                    r2 = Retriever(remote, embedder=embedder)
                    row["server_p50_ms"], row["server_p95_ms"] = time_queries(r2, questions)
                    del r2
                results.append(row)
                print(json.dumps(row), flush=True)
        finally:
            if server:
                server.terminate()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=2))
    plot(results, args.out.with_suffix(".png"))


def plot(results: list[dict], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed; skipping the plot", file=sys.stderr)
        return
    x = [r["chunks"] for r in results]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(x, [r["embedded_p50_ms"] for r in results], "o-", label="embedded p50")
    ax1.plot(x, [r["embedded_p95_ms"] for r in results], "o--", label="embedded p95")
    if "server_p50_ms" in results[0]:
        ax1.plot(x, [r["server_p50_ms"] for r in results], "s-", label="server p50")
        ax1.plot(x, [r["server_p95_ms"] for r in results], "s--", label="server p95")
    ax1.set_xscale("log")
    ax1.set_xlabel("chunks")
    ax1.set_ylabel("retrieval latency (ms)")
    ax1.legend()
    ax2.plot(x, [r["rss_mb"] for r in results], "o-")
    ax2.set_xscale("log")
    ax2.set_xlabel("chunks")
    ax2.set_ylabel("peak RSS (MB)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    main()
