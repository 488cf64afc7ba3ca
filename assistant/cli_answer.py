"""CLI commands that use the LLM: ``ask``, ``chat`` and ``eval``."""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from .config import PROJECT_ROOT, Settings, check_question
from .errors import BackendError, UserError


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def _answerer(s: Settings) -> Any:
    from .answer import Answerer

    return Answerer(s, say=_say)


_METHODS = {
    "generated": "written by the model; every sentence checked against its cited passage",
    "extracted": "quoted from the article",
    "not_found": "not found in the articles",
    "conflict": "the articles disagree: each value quoted from its article",
}
_VERDICTS = {"value": "states this value"}


def _print_sources(result: dict[str, Any]) -> None:
    """How the answer was made, what was removed, and its sources (from the result's JSON)."""
    method, reason = result["method"], result["reason"]
    print(f"\n({_METHODS.get(method, method)}" + (f": {reason})" if reason and method != "conflict" else ")"))
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
        print(f"      {c['source']} chars {c['start']}-{c['end']}: “{' '.join(c['text'].split())}”")


def _as_json(items: Iterable[Any]) -> Iterator[str | dict[str, Any]]:
    """An in-process answer stream in the shape a server sends: tokens, then the result's JSON."""
    from .answer import AnswerResult

    for item in items:
        if isinstance(item, str):
            yield item
        elif isinstance(item, AnswerResult):
            yield item.to_json()


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
    print()
    if result["answer"].strip() != text.strip():
        print(f"\nChecked answer: {result['answer']}")
    if result["standalone_question"].strip() != result["question"].strip():
        print(f"(read as: {result['standalone_question']})")
    _print_sources(result)
    return result


def cmd_ask(args: argparse.Namespace, s: Settings) -> int:
    from .condense import parse_history

    check_question(args.question, s)
    history: list[dict[str, str]] = []
    if args.history:
        try:
            history = parse_history(args.history.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UserError(f"cannot read history file {args.history}: {exc.strerror}") from None
    if s.server:
        from . import remote
        from .cli import via_server

        # The first item comes before anything is printed, so a missing server falls back cleanly.
        stream = remote.ask(s.server, s, args.question, history, args.k)
        first = via_server(lambda: next(stream, None))
        if first is not None:
            _print_answer(itertools.chain([first], stream), stream=not args.json)
            return 0
    from .llm import start_loading

    start_loading(s, say=_say)  # the model loads while LangChain, Chroma and the index do
    _print_answer(_as_json(_answerer(s).stream(args.question, history, args.k)), stream=not args.json)
    return 0


def cmd_chat(args: argparse.Namespace, s: Settings) -> int:
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
            result = _print_answer(_as_json(answerer.stream(question, history, args.k)))
        except UserError as exc:
            print(f"error: {exc}")
            continue
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": result["answer"]}]


def cmd_calibrate(args: argparse.Namespace, s: Settings) -> int:
    from .calibrate import EvalSet, collect, format_report, load_records, remeasure, report, save_records

    if args.records:
        records = load_records(args.records)
        if args.remeasure:
            records = remeasure(records, s)
    else:
        from .llm import get_llm

        specs = args.sets or [str(args.dataset or PROJECT_ROOT / "eval" / "dev.jsonl")]
        sets = [EvalSet.parse(spec, s.corpus_dir) for spec in specs]
        records = collect(sets, s, get_llm(s, say=_say), progress=(lambda m: None) if s.quiet else _say)
    if args.save_records:
        save_records(args.save_records, records)
    rep = report(records, s.load_policy(), max_false_refusals=args.max_false_refusals)
    print(json.dumps(rep, ensure_ascii=False, indent=2) if args.json else format_report(rep))
    return 0


def cmd_eval(args: argparse.Namespace, s: Settings) -> int:
    from .evaluate import evaluate_answers, evaluate_retrieval, format_report, format_side_by_side, load_dataset
    from .retrieve import Retriever

    if args.calibrate:
        return cmd_calibrate(args, s)
    dataset = load_dataset(args.dataset or PROJECT_ROOT / "eval" / "dev.jsonl")
    retriever = Retriever(s)
    k = args.k or s.k
    progress = None if s.quiet else _say
    report: dict[str, Any] = {"retrieval": evaluate_retrieval(dataset, retriever, k)}
    if not args.retrieve_only:
        from .answer import Answerer

        answerer = Answerer(s, retriever=retriever, say=_say)
        report["answers"] = evaluate_answers(dataset, answerer, k, progress=progress)
    if args.baseline:
        from .baseline import K, TutorialBaseline
        from .store import indexed_paths

        # The same articles as the index under test (not the default folder), so both see one corpus.
        _say("building the tutorial baseline over the indexed articles (1,000/200 character chunks, top 4)…")
        baseline = TutorialBaseline(s, indexed_paths(s))
        report["baseline_retrieval"] = evaluate_retrieval(dataset, baseline, K)
        if not args.retrieve_only:
            report["baseline_answers"] = evaluate_answers(dataset, baseline, K, progress=progress)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    elif args.baseline:
        print(format_side_by_side(report))
    else:
        print(format_report(report))
    return 0


def cmd_policy(args: argparse.Namespace, s: Settings) -> int:
    from .policy import field_docs

    policy = s.load_policy()
    if args.json:
        print(json.dumps(policy.to_json(), indent=2))
        return 0
    docs = field_docs()
    source = f"defaults overridden by {s.policy_file}" if s.policy_file else "calibrated defaults"
    print(f"Thresholds and weights in use ({source}):\n")
    for name, value in policy.to_json().items():
        print(f"  {name} = {json.dumps(value)}")
        print(f"      {docs.get(name, '')}")
    return 0


def cmd_serve(args: argparse.Namespace, s: Settings) -> int:
    from .ui import serve

    serve(s, args.host, args.port, args.auth or s.auth)
    return 0


COMMANDS = {"ask": cmd_ask, "chat": cmd_chat, "eval": cmd_eval, "policy": cmd_policy, "serve": cmd_serve}


def run(args: argparse.Namespace, s: Settings) -> int:
    return COMMANDS[args.command](args, s)
