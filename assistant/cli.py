"""Command line: ``assistant index | retrieve | ask | batch | chat | serve | eval | policy | people``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .config import Settings, apply_offline_env, positive_int, settings_help

apply_offline_env()

from .errors import BackendError, UserError  # noqa: E402

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


def _store_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("store")
    g.add_argument(
        "--index-dir", type=Path, metavar="DIR", help="folder of the embedded Chroma store (default: index/)"
    )
    g.add_argument("--chroma-url", metavar="URL", help="use a Chroma server, e.g. http://127.0.0.1:8000")
    g.add_argument("--quiet", "-q", action="store_true", default=None, help="no progress output")


def _query_flags(p: argparse.ArgumentParser, llm: bool = True) -> None:
    """--k, --policy, the store flags and (for commands that generate) the LLM flags."""
    p.add_argument("--k", type=positive_int, help="number of passages per question (default 5)")
    p.add_argument(
        "--policy",
        dest="policy_file",
        type=Path,
        metavar="FILE",
        help="JSON file overriding thresholds of retrieval, support and refusal (env ASSISTANT_POLICY; "
        "see assistant/policy.py and docs/evaluation.md)",
    )
    _store_flags(p)
    if llm:
        _llm_flags(p)


def _server_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--server",
        metavar="URL",
        help="send the question to a running `assistant serve` at URL (e.g. http://127.0.0.1:7860) instead of "
        "loading the models here; same output, a few seconds sooner (env ASSISTANT_SERVER)",
    )


def _llm_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("language model")
    g.add_argument("--llm", choices=["llamacpp", "openai", "ollama"], help="LLM backend (default: llamacpp)")
    g.add_argument("--model", dest="llm_model", metavar="NAME_OR_GGUF", help="model name, or a GGUF path for llamacpp")
    g.add_argument(
        "--base-url",
        dest="llm_base_url",
        metavar="URL",
        help="server URL for openai/ollama, e.g. http://127.0.0.1:8080/v1",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant",
        description="Answer questions about a folder of news articles, offline, with every claim "
        "cited to an exact passage you can check.",
        epilog=EPILOG.replace("{settings}", settings_help()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "index",
        help="add or update articles in the index",
        description="Index .txt, .md and .html articles. Re-running is cheap: unchanged files are "
        "skipped, changed files are replaced, deleted files are removed. Bad files are reported "
        "and skipped. A run that is interrupted is completed by the next one.",
    )
    p.add_argument("paths", nargs="*", type=Path, help="files or folders (default: seeds/)")
    _store_flags(p)

    p = sub.add_parser(
        "retrieve",
        help="show the passages that best match a question",
        description="Hybrid search (embeddings + BM25) with exact character offsets into the sources.",
    )
    p.add_argument("question", help="the question, in quotes")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    _server_flag(p)
    _query_flags(p, llm=False)

    p = sub.add_parser(
        "ask",
        help="answer a question with checked citations",
        description="Stream an answer from the articles, then list its numbered sources. "
        "When the articles do not hold the answer, it says so.",
    )
    p.add_argument("question", help="the question, in quotes")
    p.add_argument(
        "--history", type=Path, metavar="FILE", help='JSON file: [{"role": "user"|"assistant", "content": ...}]'
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of streaming")
    _server_flag(p)
    _query_flags(p)

    p = sub.add_parser(
        "batch",
        help="answer many questions from a JSON-lines file",
        description='Read lines {"id": ..., "question": str, "history": [...]?} and print one JSON '
        "object per line. Bad lines are reported as errors and the rest go on.",
    )
    p.add_argument("file", type=Path, help="JSON-lines input, or - for standard input")
    p.add_argument("--retrieve-only", action="store_true", help="only retrieve; no LLM")
    _query_flags(p)

    p = sub.add_parser("chat", help="chat in the terminal, with follow-up questions")
    _query_flags(p)

    p = sub.add_parser(
        "serve",
        help="start the local web chat",
        description="Start the chat page. It listens on 127.0.0.1 only unless you pass --host; "
        "when exposed, protect it with --auth.",
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--auth", help="USER:PASS, or a file with one USER:PASS per line (env ASSISTANT_AUTH)")
    _query_flags(p)

    p = sub.add_parser(
        "people",
        help="who is quoted in the articles, and what each of them said",
        description="Without NAME: every quoted person, with their number of quotes and articles. "
        "With NAME (any form of it: a surname alone, or with a title): each of their quotes, "
        "direct (in quotation marks) or reported, with its article, date and exact character offsets.",
    )
    p.add_argument("name", nargs="?", help="a person's name, in quotes")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--score",
        type=Path,
        metavar="LABELS",
        help="instead, score the quote finder against hand-labelled quotes (e.g. eval/quotes/seeds.jsonl): "
        "precision and recall of speaker and span",
    )
    _store_flags(p)

    p = sub.add_parser(
        "policy",
        help="show the thresholds that decide citations and refusals",
        description="Print every threshold and weight of retrieval, evidence selection, the "
        "claim-span support check and refusal, with what it controls. Override any of them with a "
        "JSON file: --policy FILE or ASSISTANT_POLICY. `assistant eval --calibrate` chooses them.",
    )
    p.add_argument("--json", action="store_true", help="print the policy as JSON (a valid --policy file)")
    p.add_argument("--policy", dest="policy_file", type=Path, metavar="FILE", help="JSON file of overrides")

    p = sub.add_parser(
        "eval",
        help="measure retrieval and answer quality on a question set",
        description="Score the assistant on a JSON-lines question set (default: the dev set in "
        "eval/dev.jsonl). See docs/evaluation.md for the format and the metrics.",
    )
    p.add_argument("dataset", nargs="?", type=Path, help="JSON-lines dataset (default eval/dev.jsonl)")
    p.add_argument("--retrieve-only", action="store_true", help="retrieval metrics only (seconds)")
    p.add_argument(
        "--baseline",
        action="store_true",
        help="also run LangChain's RAG-tutorial pipeline (1,000/200 splits, top 4, tutorial prompt, "
        "same models) and print both side by side",
    )
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    g = p.add_argument_group(
        "calibration",
        "Choose thresholds by measurement: answer every question of every --set once, recording "
        "every measurement, then replay the refusal policy under each setting of a grid and print "
        "refusal precision and recall, accuracy, citation support and latency per setting.",
    )
    g.add_argument("--calibrate", action="store_true", help="run the calibration instead of an evaluation")
    g.add_argument(
        "--set",
        dest="sets",
        action="append",
        metavar="DATASET[=CORPUS]",
        help="a question set and its article folder (default: corpus/ beside the dataset, else seeds/); "
        "repeat for several sets; default: the dev set",
    )
    g.add_argument("--records", type=Path, metavar="FILE", help="replay saved records instead of answering again")
    g.add_argument(
        "--remeasure",
        action="store_true",
        help="with --records: measure the recorded answers again with the current code (no model calls)",
    )
    g.add_argument("--save-records", type=Path, metavar="FILE", help="save the records for later --records runs")
    g.add_argument(
        "--max-false-refusals",
        type=float,
        default=0.05,
        metavar="SHARE",
        help="settings refusing more than this share of any set's answerable questions rank last (default 0.05)",
    )
    _query_flags(p)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    """Environment settings overridden by whatever flags were given."""
    fields = ("index_dir", "chroma_url", "quiet", "k", "llm", "llm_model", "llm_base_url", "policy_file", "server")
    return Settings.from_env().with_(**{f: getattr(args, f, None) for f in fields})


def _err(message: str) -> None:
    print(f"assistant: error: {message}", file=sys.stderr)


def cmd_index(args: argparse.Namespace, s: Settings) -> int:
    from .index import build_index

    def say(message: str) -> None:
        # Skipped files are always reported; other progress notes only without --quiet.
        if not s.quiet or message.startswith("skipped"):
            print(message, file=sys.stderr)

    report = build_index(args.paths or [s.corpus_dir], s, say=say)
    print(report.summary())
    if report.total_chunks == 0:
        _err("nothing was indexed")
        return 2
    return 0


def _print_passages(passages: Sequence[dict[str, Any]]) -> None:
    """Passages in their JSON shape (:meth:`assistant.retrieve.Passage.to_json`), numbered."""
    for n, p in enumerate(passages, 1):
        where = " · ".join(x for x in (p["publisher"], p["date"]) if x)
        print(f"[{n}] {p['title'] or p['source']}" + (f" ({where})" if where else ""))
        print(f"    {p['source']} chars {p['start']}-{p['end']}  score {p['score']:.4f}")
        print("    " + p["text"].replace("\n", "\n    "))
        print()


def via_server(call: Callable[[], Any]) -> Any:
    """``call()`` against ``s.server``; ``None`` (after a note) when no usable server is there."""
    from .remote import ServerUnavailable

    try:
        return call()
    except ServerUnavailable as exc:
        # A warning, not progress: shown even with --quiet, so a reader knows who answered.
        print(f"note: {exc}; answering in this process", file=sys.stderr)
        return None


def cmd_retrieve(args: argparse.Namespace, s: Settings) -> int:
    out = None
    if s.server:
        from . import remote

        out = via_server(lambda: remote.retrieve(s.server, s, args.question, args.k))
    if out is None:
        from .retrieve import Retriever

        passages = Retriever(s).search(args.question, args.k)
        out = {"question": args.question.strip(), "passages": [p.to_json() for p in passages]}
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        _print_passages(out["passages"])
    return 0


def _read_jsonl(path: Path) -> list[tuple[int, Any]]:
    try:
        raw = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {path}: {exc}") from None
    return [(n, line) for n, line in enumerate(raw.splitlines(), 1) if line.strip()]


def parse_batch_line(line: str) -> dict[str, Any]:
    """One batch input line as a dict; raise :class:`UserError` when malformed."""
    try:
        item = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise UserError(f"not valid JSON: {exc}") from None
    if not isinstance(item, dict) or not isinstance(item.get("question"), str):
        raise UserError('each line must be an object with a "question" string')
    return item


def cmd_batch(args: argparse.Namespace, s: Settings) -> int:
    from .retrieve import Retriever

    retriever = Retriever(s)
    answerer = None
    if not args.retrieve_only:
        from .answer import Answerer

        answerer = Answerer(s, retriever=retriever)
    failures = 0
    for n, line in _read_jsonl(args.file):
        item_id: Any = None
        try:
            item = parse_batch_line(line)
            item_id = item.get("id")
            if answerer is None:
                passages = retriever.search(item["question"], args.k)
                out = {
                    "id": item_id,
                    "question": item["question"].strip(),
                    "retrieved": [p.to_json() for p in passages],
                }
            else:
                from .answer import parse_history

                result = answerer.answer(item["question"], parse_history(item.get("history")), k=args.k)
                out = {"id": item_id, **result.to_json()}
        except (UserError, BackendError) as exc:
            failures += 1
            out = {"id": item_id, "line": n, "error": str(exc)}
            print(f"assistant: line {n}: {exc}", file=sys.stderr)
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 1 if failures else 0


def cmd_people(args: argparse.Namespace, s: Settings) -> int:
    from .cli_people import cmd_people as run

    return run(args, s)


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "index": cmd_index,
    "retrieve": cmd_retrieve,
    "batch": cmd_batch,
    "people": cmd_people,
}


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
        handler = COMMANDS.get(args.command)
        if handler is None:
            from . import cli_answer

            return cli_answer.run(args, settings)
        return handler(args, settings)
    except UserError as exc:
        _settle()
        _err(str(exc))
        return 2
    except BackendError as exc:
        _settle()
        if exc.passages:
            print("The answer could not be generated; the retrieved passages are:\n", file=sys.stderr)
            _print_passages([p.to_json() for p in exc.passages])
        _err(str(exc))
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
