"""``assistant ask``, ``batch`` and ``chat``: cited answers from the articles."""

from __future__ import annotations

import argparse
import itertools
import json
import math
import shutil
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from assistant.cli.common import command, filter_flags, filters_from, query_flags, say, server_flag, via_server
from assistant.config import Settings, check_question
from assistant.errors import BackendError, UserError


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "ask", cmd_ask)
    p.add_argument("question", help="the question, in quotes")
    p.add_argument(
        "--history", type=Path, metavar="FILE", help='JSON file: [{"role": "user"|"assistant", "content": ...}]'
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of streaming")
    server_flag(p)
    filter_flags(p)
    query_flags(p)

    p = command(sub, "batch", cmd_batch)
    p.add_argument("file", type=Path, help="JSON-lines input, or - for standard input")
    p.add_argument("--retrieve-only", action="store_true", help="only retrieve; no LLM")
    filter_flags(p)
    query_flags(p)

    p = command(sub, "chat", cmd_chat)
    filter_flags(p)
    query_flags(p)


def _answerer(s: Settings) -> Any:
    from assistant.answer.answerer import Answerer

    return Answerer(s, say=say)


_METHODS = {
    "generated": "written by the model; every sentence checked against its cited passage",
    "extracted": "quoted from the article",
    "not_found": "not found in the articles",
    "conflict": "the articles disagree: each value quoted from its article",
}
_VERDICTS = {"value": "states this value"}
_STATES = {
    "answered": "answered",
    "uncertain": "UNCERTAIN: the passage may not answer exactly what you asked",
    "not_found": "not found",
}


def state_line(result: dict[str, Any]) -> str:
    """How sure the answer is: its state and its learned confidence."""
    state = result.get("status", "")
    return f"[{_STATES.get(state, state)} · confidence {result.get('confidence', 0.0):.2f}]"


def _print_sources(result: dict[str, Any]) -> None:
    """How the answer was made, what was removed, and its sources (from the result's JSON)."""
    method, reason = result["method"], result["reason"]
    print(f"\n{state_line(result)}")
    print(f"({_METHODS.get(method, method)}" + (f": {reason})" if reason and method != "conflict" else ")"))
    if result.get("conflicts") and method != "conflict":
        print("(the articles disagree: the last sentence names each value, quoted from its article)")
    for r in result["removed"]:
        print(f"  removed: “{r['sentence']}” ({r['why']})")
    if result["status"] == "not_found":
        if result["retrieved"]:
            print("\nClosest passages (they do not answer the question):")
            for p in result["retrieved"][:3]:
                print(f"  - {p['title'] or p['source']} ({p['source']}:{p['start']}-{p['end']}): {p['text'][:160]}…")
        quotes = result.get("speaker_quotes") or []
        if quotes:
            print(f"\n{quotes[0]['speaker']} is quoted in the articles, but not on this. What they said:")
            for q in quotes:
                print(f"  - “{q['text']}” ({q['title'] or q['path']}; {q['path']}:{q['start']}-{q['end']})")
        return
    print("\nSources:")
    for c in result["citations"]:
        where = " · ".join(x for x in (c["publisher"], c["date"]) if x)
        verdict = c["support"].get("verdict", "")
        check = f"{_VERDICTS.get(verdict, verdict)} {c['support'].get('score', '')}".strip()
        print(f"  [{c['marker']}] {c['title'] or c['source']}" + (f" ({where})" if where else "") + f"  [{check}]")
        page = f", page {c['page']}" if c.get("page") else ""
        print(f"      {c['source']} chars {c['start']}-{c['end']}{page}: “{' '.join(c['text'].split())}”")


def _as_json(items: Iterable[Any]) -> Iterator[str | dict[str, Any]]:
    """An in-process answer stream in the shape a server sends: tokens, then the result's JSON."""
    from assistant.answer.result import AnswerResult

    for item in items:
        if isinstance(item, str):
            yield item
        elif isinstance(item, AnswerResult):
            yield item.to_json()


def erase_draft(draft: str, columns: int, lines: int) -> str:
    """The terminal codes that move the cursor back to where ``draft`` started and clear what
    it printed; "" when it no longer fits on a screen of ``columns`` × ``lines``."""
    rows = sum(max(1, math.ceil(len(line) / max(1, columns))) for line in draft.split("\n"))
    if rows >= lines:
        return ""
    return "\r" + (f"\x1b[{rows - 1}A" if rows > 1 else "") + "\x1b[J"


def _print_answer(items: Iterable[str | dict[str, Any]], stream: bool = True) -> dict[str, Any]:
    """Print the tokens as they come (or, with ``stream=False``, only the JSON result); return the result."""
    text, result = "", None
    for item in items:
        if isinstance(item, str):
            text += item
            if stream:
                print(item, end="", flush=True)
        else:
            result = item
    if result is None:
        raise BackendError("the answer stream ended without a result")
    if not stream:
        print(json.dumps(result, ensure_ascii=False))
        return result
    if result["answer"].strip() != text.strip():
        erase = erase_draft(text, *shutil.get_terminal_size()) if sys.stdout.isatty() else ""
        # On a terminal the checked answer replaces the draft; in a file both stay, labelled.
        print(f"{erase}{result['answer']}" if erase else f"\n\nChecked answer: {result['answer']}")
    else:
        print()
    if result["standalone_question"].strip() != result["question"].strip():
        print(f"(read as: {result['standalone_question']})")
    _print_sources(result)
    return result


def cmd_ask(args: argparse.Namespace, s: Settings) -> int:
    """answer a question with checked citations

    Stream an answer from the articles, then list its numbered sources. The answer says how
    sure it is: answered (checked), UNCERTAIN (shown, but check the cited passage: it may not
    answer exactly what you asked) or not found (the closest passages are listed), with its
    confidence, the learned probability that it is right. --json gives "status" and
    "confidence".
    """
    from assistant.answer.condense import parse_history

    check_question(args.question, s)
    filters = filters_from(args)
    history: list[dict[str, str]] = []
    if args.history:
        try:
            history = parse_history(args.history.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UserError(f"cannot read history file {args.history}: {exc.strerror}") from None
    if s.server:
        from assistant.ui import client as remote

        # The first item comes before anything is printed, so a missing server falls back cleanly.
        stream = remote.ask(s.server, s, args.question, history, args.k, filters)
        first = via_server(lambda: next(stream, None))
        if first is not None:
            _print_answer(itertools.chain([first], stream), stream=not args.json)
            return 0
    from assistant.llm import start_loading

    start_loading(s, say=say)  # the model loads while LangChain, Chroma and the index do
    _print_answer(_as_json(_answerer(s).stream(args.question, history, args.k, filters)), stream=not args.json)
    return 0


def cmd_chat(args: argparse.Namespace, s: Settings) -> int:
    """chat in the terminal, with follow-up questions

    Ask questions one after another; follow-up questions use the conversation. Ctrl-D quits.
    """
    filters = filters_from(args)
    answerer = _answerer(s)
    history: list[dict[str, str]] = []
    print("Ask about the indexed articles. Follow-up questions use the conversation. Ctrl-D to quit.")
    while True:
        try:
            question = input("\nyou> ").strip()
        except EOFError:
            print()
            return 0
        if not question:
            continue
        try:
            result = _print_answer(_as_json(answerer.stream(question, history, args.k, filters)))
        except UserError as exc:
            print(f"error: {exc}")
            continue
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": result["answer"]}]


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
    """answer many questions from a JSON-lines file

    Read lines {"id": ..., "question": str, "history": [...]?} and print one JSON object per
    line. Bad lines are reported as errors and the rest go on.
    """
    from assistant.retrieve.retriever import Retriever

    filters = filters_from(args)
    retriever = Retriever(s)
    answerer = None
    if not args.retrieve_only:
        from assistant.answer.answerer import Answerer

        answerer = Answerer(s, retriever=retriever)
    failures = 0
    for n, line in _read_jsonl(args.file):
        item_id: Any = None
        try:
            item = parse_batch_line(line)
            item_id = item.get("id")
            if answerer is None:
                passages = retriever.search(item["question"], args.k, filters)
                out = {
                    "id": item_id,
                    "question": item["question"].strip(),
                    "retrieved": [p.to_json() for p in passages],
                }
            else:
                from assistant.answer.condense import parse_history

                result = answerer.answer(item["question"], parse_history(item.get("history")), args.k, filters)
                out = {"id": item_id, **result.to_json()}
        except (UserError, BackendError) as exc:
            failures += 1
            out = {"id": item_id, "line": n, "error": str(exc)}
            print(f"assistant: line {n}: {exc}", file=sys.stderr)
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 1 if failures else 0
