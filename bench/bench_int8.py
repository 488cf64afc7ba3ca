"""Would an int8 embedder index faster without retrieving worse? (issue "An archive, not five files")

    .venv/bin/python bench/bench_int8.py [--chunks-from /tmp/reuters --files 200]

The cached fp32 ONNX export of all-MiniLM-L6-v2 (what indexing and questions use) is quantized
with onnxruntime's dynamic int8 quantization into a temporary file. Then:

* speed: both encode the same chunk texts of ``--files`` random archive articles (as indexing
  embeds them), best of two;
* agreement: the cosine between the two vectors of each text;
* retrieval: hit@5 and MRR on ``eval/dev.jsonl`` over the seeds and on ``../shared/eval/squad-dev``,
  each set indexed and queried with one embedder (documents and questions alike).

Nothing here changes the product: it reports whether the switch would pay.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path
from unittest import mock

import numpy as np

from assistant.config import PROJECT_ROOT, Settings
from assistant.evaluate.metrics import evaluate_retrieval, load_dataset
from assistant.ingest.chunk import chunk_article, embedding_text
from assistant.ingest.load import read_article
from assistant.retrieve.retriever import Retriever
from assistant.store import onnx
from assistant.store.build import build_index
from assistant.store.embed import ensure_onnx, get_embedder
from assistant.store.vectors import model_path

SETS = [
    ("dev", PROJECT_ROOT / "eval" / "dev.jsonl", PROJECT_ROOT / "seeds"),
    ("squad-dev", PROJECT_ROOT.parent / "shared/eval/squad-dev/questions.jsonl", PROJECT_ROOT.parent / "shared/eval/squad-dev/corpus"),
]  # fmt: skip


def quantized(fp32: Path, out: Path) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8)
    return out


def texts_of(folder: Path, n: int) -> list[str]:
    files = sorted(folder.glob("*.txt"))
    out = []
    for f in random.Random(1).sample(files, min(n, len(files))):
        a = read_article(f)
        out += [embedding_text(a.title, c.text, c.continues_quote_of) for c in chunk_article(a, 420)]
    return out


def rate(embedder, texts: list[str]) -> tuple[float, np.ndarray]:
    embedder.encode(texts[:64])
    best, vectors = float("inf"), None
    for _ in range(2):
        t = time.perf_counter()
        vectors = embedder.encode(texts)
        best = min(best, time.perf_counter() - t)
    return len(texts) / best, vectors


def quality(export: Path) -> dict[str, dict[str, float]]:
    """hit@5 and MRR of each set, indexed and asked with the ONNX file ``export``."""
    out = {}
    with mock.patch.object(onnx, "onnx_path", lambda cache, model: export):
        get_embedder.cache_clear()
        for name, data, corpus in SETS:
            s = Settings.from_env().with_(index_dir=Path(tempfile.mkdtemp()), quiet=True, embed_backend="onnx")
            build_index([corpus], s, say=lambda m: None)
            m = evaluate_retrieval(load_dataset(data), Retriever(s), 5)
            out[name] = {"hit@5": m["hit@5"], "mrr": m["mrr"]}
        get_embedder.cache_clear()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--chunks-from", type=Path, default=Path("/tmp/reuters"), help="archive articles (bench_archive.py writes them)"
    )
    ap.add_argument("--files", type=int, default=200)
    args = ap.parse_args()
    s = Settings.from_env()
    fp32 = ensure_onnx(s.cache_dir)
    int8 = quantized(fp32, Path(tempfile.mkdtemp()) / "int8.onnx")
    texts = texts_of(args.chunks_from, args.files)
    speed_fp32, v32 = rate(onnx.OnnxEmbedder(model_path(), fp32), texts)
    speed_int8, v8 = rate(onnx.OnnxEmbedder(model_path(), int8), texts)
    cos = (v32 * v8).sum(1)
    report = {
        "chunks": len(texts),
        "chunks_per_s": {"fp32": round(speed_fp32, 1), "int8": round(speed_int8, 1)},
        "cosine": {"min": round(float(cos.min()), 4), "mean": round(float(cos.mean()), 4)},
        "retrieval": {"fp32": quality(fp32), "int8": quality(int8)},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
