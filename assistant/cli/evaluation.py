"""``assistant eval`` and ``policy``: measure quality, choose and show the thresholds."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from assistant.cli.common import command, query_flags, say
from assistant.config import PROJECT_ROOT, Settings


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "policy", cmd_policy)
    p.add_argument("--json", action="store_true", help="print the policy as JSON (a valid --policy file)")
    p.add_argument("--policy", dest="policy_file", type=Path, metavar="FILE", help="JSON file of overrides")

    p = command(sub, "eval", cmd_eval)
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
    query_flags(p)


def cmd_calibrate(args: argparse.Namespace, s: Settings) -> int:
    from assistant.evaluate.calibrate import (
        EvalSet,
        collect,
        format_report,
        load_records,
        remeasure,
        report,
        save_records,
    )

    if args.records:
        records = load_records(args.records)
        if args.remeasure:
            records = remeasure(records, s)
    else:
        from assistant.llm import get_llm

        specs = args.sets or [str(args.dataset or PROJECT_ROOT / "eval" / "dev.jsonl")]
        sets = [EvalSet.parse(spec, s.corpus_dir) for spec in specs]
        records = collect(sets, s, get_llm(s, say=say), progress=(lambda m: None) if s.quiet else say)
    if args.save_records:
        save_records(args.save_records, records)
    rep = report(records, s.load_policy(), max_false_refusals=args.max_false_refusals)
    print(json.dumps(rep, ensure_ascii=False, indent=2) if args.json else format_report(rep))
    return 0


def cmd_eval(args: argparse.Namespace, s: Settings) -> int:
    """measure retrieval and answer quality on a question set

    Score the assistant on a JSON-lines question set (default: the dev set in
    eval/dev.jsonl): retrieval hit@k and MRR, answer accuracy, citation checks, how many
    answerable and unanswerable questions land in each state (answered, uncertain,
    not_found), and the area under the risk-coverage curve of the answers' confidence
    (aurc; lower is better). See docs/evaluation.md for the format and the metrics.
    """
    from assistant.evaluate.metrics import (
        evaluate_answers,
        evaluate_retrieval,
        format_report,
        format_side_by_side,
        load_dataset,
    )
    from assistant.retrieve.retriever import Retriever

    if args.calibrate:
        return cmd_calibrate(args, s)
    dataset = load_dataset(args.dataset or PROJECT_ROOT / "eval" / "dev.jsonl")
    retriever = Retriever(s)
    k = args.k or s.k
    progress = None if s.quiet else say
    report: dict[str, Any] = {"retrieval": evaluate_retrieval(dataset, retriever, k)}
    if not args.retrieve_only:
        from assistant.answer.answerer import Answerer

        answerer = Answerer(s, retriever=retriever, say=say)
        report["answers"] = evaluate_answers(dataset, answerer, k, progress=progress)
    if args.baseline:
        from assistant.evaluate.baseline import K, TutorialBaseline
        from assistant.store.chroma import indexed_paths

        # The same articles as the index under test (not the default folder), so both see one corpus.
        say("building the tutorial baseline over the indexed articles (1,000/200 character chunks, top 4)…")
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
    """show the thresholds that decide citations and refusals

    Print every threshold and weight of retrieval, evidence selection, the claim-span
    support check and refusal, with what it controls. Override any of them with a JSON file:
    --policy FILE or ASSISTANT_POLICY. `assistant eval --calibrate` chooses them.
    """
    from assistant.policy import field_docs

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
