"""``assistant index``: add or update articles in the index."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.cli.common import command, err, store_flags
from assistant.config import Settings


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "index", cmd_index)
    p.add_argument("paths", nargs="*", type=Path, help="files or folders (default: seeds/)")
    store_flags(p)


def cmd_index(args: argparse.Namespace, s: Settings) -> int:
    """add or update articles in the index

    Index .txt, .md, .html and .pdf articles (a PDF needs a text layer: a scanned one is
    skipped with the reason). Re-running is cheap: a file untouched since the last run is
    not even read (its size and times are compared), changed files are replaced, deleted
    files are removed. Bad files are reported and skipped. A run that is interrupted is
    completed by the next one.
    """
    from assistant.store.build import build_index

    def say(message: str) -> None:
        # Skipped files are always reported; other progress notes only without --quiet.
        if not s.quiet or message.startswith("skipped"):
            print(message, file=sys.stderr)

    report = build_index(args.paths or [s.corpus_dir], s, say=say)
    print(report.summary())
    if report.total_chunks == 0:
        err("nothing was indexed")
        return 2
    return 0
