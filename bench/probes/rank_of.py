"""Probe (docs/evaluation.md, sources that disagree): where a passage holding a given text ranks for a question; the second side of the 2+2 conflict ranked 14th for "2+2" alone after number words were indexed as digits (37th before).

Where a passage ranks for a question: the fused rank of the first chunk holding a text.

    .venv/bin/python bench/rank_of.py "How long had it been since the previous U.S.-South Korea 2+2 meeting?" \\
        "in five years" [--index-dir DIR]

Prints the chunk's rank in the hybrid search (out of all chunks), or says it is not there.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from assistant.config import Settings  # noqa: E402
from assistant.retrieve.retriever import Retriever  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("question")
    parser.add_argument("text", help="a piece of the passage to look for")
    parser.add_argument("--index-dir", type=Path, help="the index (default: the configured one)")
    args = parser.parse_args()
    settings = Settings.from_env()
    if args.index_dir:
        settings = settings.with_(index_dir=args.index_dir)
    retriever = Retriever(settings)
    total = len(retriever.metas)
    passages = retriever.search(args.question, 50)
    for rank, p in enumerate(passages, 1):
        if args.text in p.text:
            print(f"rank {rank} of {total} chunks: {Path(p.source).name} [{p.start}:{p.end}]")
            return
    print(f"not in the top {len(passages)} of {total} chunks")


if __name__ == "__main__":
    main()
