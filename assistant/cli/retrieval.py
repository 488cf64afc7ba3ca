"""``assistant retrieve``: the passages that best match a question, with exact offsets."""

from __future__ import annotations

import argparse
import json

from assistant.cli.common import (
    command,
    filter_flags,
    filters_from,
    print_passages,
    query_flags,
    server_flag,
    via_server,
)
from assistant.config import Settings


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "retrieve", cmd_retrieve)
    p.add_argument("question", help="the question, in quotes")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    server_flag(p)
    filter_flags(p)
    query_flags(p, llm=False)


def cmd_retrieve(args: argparse.Namespace, s: Settings) -> int:
    """show the passages that best match a question

    Hybrid search (embeddings + BM25) with exact character offsets into the sources.
    """
    out = None
    filters = filters_from(args)
    if s.server:
        from assistant.ui import client as remote

        out = via_server(lambda: remote.retrieve(s.server, s, args.question, args.k, filters))
    if out is None:
        from assistant.retrieve.retriever import Retriever

        passages = Retriever(s).search(args.question, args.k, filters)
        out = {"question": args.question.strip(), "passages": [p.to_json() for p in passages]}
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print_passages(out["passages"])
    return 0
