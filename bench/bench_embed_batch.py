"""Which batch size embeds archive chunks fastest on onnxruntime? (issue "An archive, not five files")

    .venv/bin/python bench/bench_embed_batch.py [--chunks-from /tmp/reuters --files 150]
    .venv/bin/python bench/bench_embed_batch.py --parallel --sizes 8

The chunk texts of ``--files`` random archive articles (as indexing embeds them, sorted by
length inside :class:`~assistant.store.onnx.OnnxEmbedder`) are encoded by the cached fp32
export at each batch size, best of two; the vectors of the largest and smallest batch are
compared. ``--parallel`` times each size twice: on one session of every thread, and with the
batches side by side on one-thread sessions (what ``OnnxEmbedder`` does with several batches),
and compares their vectors. Prints JSON. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench_int8 import rate, texts_of

from assistant.config import Settings
from assistant.store import onnx
from assistant.store.embed import ensure_onnx
from assistant.store.vectors import model_path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chunks-from", type=Path, default=Path("/tmp/reuters"), help="archive articles")
    ap.add_argument("--files", type=int, default=150)
    ap.add_argument("--sizes", default="4,8,16,32,64,128", help="batch sizes, comma-separated")
    ap.add_argument("--parallel", action="store_true", help="also time the batches side by side")
    args = ap.parse_args()
    texts = texts_of(args.chunks_from, args.files)
    embedder = onnx.OnnxEmbedder(model_path(), ensure_onnx(Settings.from_env().cache_dir))
    speeds, vectors = {}, {}
    for size in [int(x) for x in args.sizes.split(",")]:
        embedder.batch_size = size
        embedder.parallel = False
        speeds[size], vectors[size] = rate(embedder, texts)
        if args.parallel:
            embedder.parallel = True
            speeds[f"{size} side by side"], vectors[f"{size} side by side"] = rate(embedder, texts)
    report = {"chunks": len(texts), "chunks_per_s": {str(k): round(v, 1) for k, v in speeds.items()}}
    names = list(vectors)
    cos = (vectors[names[0]] * vectors[names[-1]]).sum(1)
    report[f"cosine {names[0]} vs {names[-1]}"] = {"min": round(float(cos.min()), 7)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
