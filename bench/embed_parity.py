"""Do the ONNX query embeddings match the torch ones? (issue: fast cold start)

    .venv/bin/python bench/embed_parity.py [--set eval/dev.jsonl=seeds ...]

For each question set (default: the dev set over seeds/, and ../shared/eval/squad-dev over
its corpus/), the articles are indexed into a temporary folder with the torch embedder, as
`assistant index` does. Then:

* every question and every indexed chunk text is embedded by both backends, and the lowest
  cosine between the two vectors of one text is reported (acceptance: ≥ 0.999 for all);
* every question is retrieved twice, once with each backend embedding the query, and the
  share of questions whose top-5 passages are the same (same ids, same order) is reported
  (acceptance: ≥ 0.99).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from assistant.config import PROJECT_ROOT, Settings
from assistant.evaluate.metrics import load_dataset  # noqa: E402
from assistant.retrieve.retriever import Retriever  # noqa: E402
from assistant.store.build import build_index  # noqa: E402
from assistant.store.chroma import get_all, open_collection  # noqa: E402
from assistant.store.embed import get_embedder, get_index_embedder  # noqa: E402

SQUAD = PROJECT_ROOT.parent / "shared" / "eval" / "squad-dev"
DEFAULT_SETS = [f"{PROJECT_ROOT / 'eval' / 'dev.jsonl'}={PROJECT_ROOT / 'seeds'}", f"{SQUAD / 'questions.jsonl'}"]


def _cosines(a: list[list[float]], b: list[list[float]]) -> np.ndarray:
    x, y = np.asarray(a), np.asarray(b)
    return (x * y).sum(1) / (np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1))


def compare(dataset: Path, corpus: Path, settings: Settings) -> dict[str, object]:
    torch_e = get_index_embedder()
    onnx_e = get_embedder("onnx", settings.cache_dir, settings.n_threads, True)
    questions = [ex.question for ex in load_dataset(dataset)]
    with tempfile.TemporaryDirectory() as tmp:
        s = settings.with_(index_dir=Path(tmp), quiet=True)
        build_index([corpus], s, say=lambda m: None)
        chunks = get_all(open_collection(s), ["documents"])["documents"]
        by_torch, by_onnx = Retriever(s, embedder=torch_e), Retriever(s, embedder=onnx_e)
        same = [
            [p.chunk_id for p in by_torch.search(q, 5)] == [p.chunk_id for p in by_onnx.search(q, 5)] for q in questions
        ]
    texts = questions + chunks
    cos = _cosines(torch_e.embed_documents(texts), onnx_e.embed_documents(texts))
    return {
        "set": str(dataset),
        "questions": len(questions),
        "texts_embedded": len(texts),
        "min_cosine": round(float(cos.min()), 6),
        "texts_below_0.999": int((cos < 0.999).sum()),
        "same_top5_share": round(sum(same) / len(same), 4),
        "questions_with_other_top5": len(same) - sum(same),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", dest="sets", action="append", metavar="DATASET[=CORPUS]")
    args = ap.parse_args()
    settings = Settings.from_env()
    out = []
    for spec in args.sets or DEFAULT_SETS:
        dataset, _, corpus = spec.partition("=")
        out.append(compare(Path(dataset), Path(corpus) if corpus else Path(dataset).parent / "corpus", settings))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
