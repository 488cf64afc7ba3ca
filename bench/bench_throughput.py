"""Indexing throughput against raw encoding speed, interleaved so that the machine's drift cancels.

    .venv/bin/python bench/bench_throughput.py [--chunks 10000] [--block 1000] [--out docs/throughput.json]

A synthetic news corpus (seed sentences recombined with names and numbers varied, as in
bench_scale.py) of about --chunks chunks is cut into blocks of about --block chunks. For
each block, in alternating order, we time:

- raw: ``SentenceTransformer.encode`` (the index's own model and batch size, one call)
  on exactly the texts indexing embeds for that block;
- index: ``build_index`` on the block's files, into a store that grows to the full size
  (reading, chunking, embedding, the Chroma writes and the lexical index included).

Throughput ratio = raw seconds / index seconds over all blocks (1.0 means indexing costs
no more than encoding). Per-block ratios are printed too, to show the trend as the store grows.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_scale import seed_sentences, write_articles  # noqa: E402

from assistant.config import PROJECT_ROOT, Settings  # noqa: E402
from assistant.ingest.chunk import chunk_article, embedding_text  # noqa: E402
from assistant.ingest.load import read_article  # noqa: E402
from assistant.store.build import build_index  # noqa: E402
from assistant.store.embed import get_index_embedder  # noqa: E402


def block_texts(files: list[Path]) -> list[str]:
    """What indexing embeds for these files."""
    out = []
    for f in files:
        a = read_article(f)
        out += [embedding_text(a.title, c.text, c.continues_quote_of) for c in chunk_article(a)]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chunks", type=int, default=10000)
    ap.add_argument("--block", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "throughput.json")
    args = ap.parse_args()
    sentences = seed_sentences()
    embedder = get_index_embedder()
    embedder.embed_documents(["warm-up"] * 8)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        s = Settings.from_env().with_(index_dir=Path(tmp) / "index", quiet=True)
        build_index([], s, say=lambda m: None)  # create the store outside the timings
        articles, done = 0, 0
        while done < args.chunks:
            per_article = 20  # about; the block is cut on whole articles
            count = max(1, args.block // per_article)
            write_articles(corpus, articles, count, sentences)
            files = [corpus / f"a{i:06d}.txt" for i in range(articles, articles + count)]
            articles += count
            texts = block_texts(files)

            def raw(texts: list[str] = texts) -> float:
                t = time.perf_counter()  # SentenceTransformer.encode itself, as indexing calls it
                embedder.model.encode(
                    texts, batch_size=embedder.batch_size, normalize_embeddings=True, show_progress_bar=False
                )
                return time.perf_counter() - t

            def index(files: list[Path] = files, n: int = len(texts)) -> float:
                t = time.perf_counter()
                report = build_index(files, s, say=lambda m: None)
                assert report.chunks_added == n, (report.chunks_added, n)
                return time.perf_counter() - t

            if len(rows) % 2 == 0:
                raw_s = raw()
                index_s = index()
            else:
                index_s = index()
                raw_s = raw()
            done += len(texts)
            row = {
                "store_chunks": done,
                "block_chunks": len(texts),
                "raw_s": round(raw_s, 2),
                "index_s": round(index_s, 2),
            }
            row["ratio"] = round(raw_s / index_s, 3)
            rows.append(row)
            print(json.dumps(row), flush=True)
    raw_total = sum(r["raw_s"] for r in rows)
    index_total = sum(r["index_s"] for r in rows)
    summary = {
        "chunks": done,
        "raw_chunks_per_s": round(done / raw_total, 1),
        "index_chunks_per_s": round(done / index_total, 1),
        "ratio": round(raw_total / index_total, 3),
        "blocks": rows,
    }
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps({k: v for k, v in summary.items() if k != "blocks"}))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
