"""Command line: ``assistant index | retrieve | ask | batch | chat | serve | eval | policy | people``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from assistant.cli.common import err, print_passages
from assistant.config import Settings, settings_help
from assistant.errors import BackendError, UserError

EPILOG = """\
examples:
  assistant index                      index the articles in seeds/ (incremental)
  assistant index ~/news/*.txt         index other files or folders
  assistant retrieve "What did Shin Kak-soo say about Quad+?"
  assistant ask "What did Shin Kak-soo say about Quad+?"
  assistant ask "What did he say about Japan?" --history chat.json
  assistant batch questions.jsonl > answers.jsonl
  assistant chat                       terminal chat with follow-up questions
  assistant serve                      local web chat at http://127.0.0.1:7860
  assistant eval --retrieve-only       retrieval quality on the dev set
  assistant policy                     the thresholds behind citations and refusals
  assistant people "Shin Kak-soo"      every quote of one person, with its source and offsets
  assistant eval --calibrate --set eval/dev.jsonl --set other/questions.jsonl=other/articles
                                       choose refusal thresholds on several question sets

{settings}
Everything runs offline; no telemetry is sent.
"""


GROUPS = ("index", "retrieval", "answer", "serve", "people", "evaluation")
"""The command-group modules of :mod:`assistant.cli`, each adding its own subcommands."""


def build_parser() -> argparse.ArgumentParser:
    from importlib import import_module

    parser = argparse.ArgumentParser(
        prog="assistant",
        description="Answer questions about a folder of news articles, offline, with every claim "
        "cited to an exact passage you can check.",
        epilog=EPILOG.replace("{settings}", settings_help()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for group in GROUPS:
        import_module(f"assistant.cli.{group}").add_commands(sub)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    """Environment settings overridden by whatever flags were given."""
    fields = ("index_dir", "chroma_url", "quiet", "k", "llm", "llm_model", "llm_base_url", "policy_file", "server")
    return Settings.from_env().with_(**{f: getattr(args, f, None) for f in fields})


def _settle() -> None:
    """Let a model load that is still running finish first: llama.cpp silences stdout and
    stderr while it loads, and the error about to be printed must be seen."""
    preload = sys.modules.get("assistant.llm.preload")
    if preload is not None:
        preload.wait_all()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = settings_from(args)
        return args.handler(args, settings)
    except UserError as exc:
        _settle()
        err(str(exc))
        return 2
    except BackendError as exc:
        _settle()
        if exc.passages:
            print("The answer could not be generated; the retrieved passages are:\n", file=sys.stderr)
            print_passages([p.to_json() for p in exc.passages])
        err(str(exc))
        return 3
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `assistant policy | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
