"""``assistant people``: who is quoted in the indexed articles, and what each of them said."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.cli.common import command, store_flags
from assistant.config import Settings
from assistant.errors import UserError


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "people", cmd_people)
    p.add_argument("name", nargs="?", help="a person's name, in quotes")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--score",
        type=Path,
        metavar="LABELS",
        help="instead, score the quote finder against hand-labelled quotes (e.g. eval/quotes/seeds.jsonl): "
        "precision and recall of speaker and span",
    )
    p.add_argument(
        "--articles",
        type=Path,
        metavar="DIR",
        help="with --score: the folder the labels' article files are under (e.g. the folder that "
        "eval/quotes/reuters.jsonl's README command writes)",
    )
    store_flags(p)


def _where(q) -> str:  # noqa: ANN001 - a QuoteRecord
    parts = [q.publisher, q.date]
    label = ", ".join(p for p in parts if p)
    return f"{q.title or Path(q.path).name}" + (f" ({label})" if label else "")


def cmd_people(args: argparse.Namespace, s: Settings) -> int:
    """who is quoted in the articles, and what each of them said

    Without NAME: every quoted person, with their number of quotes and articles. With NAME
    (any form of it: a surname alone, or with a title): each of their quotes, direct (in
    quotation marks) or reported, with its article, date and exact character offsets.
    """
    from assistant.quotes import people

    if args.score:
        return _score(args)
    from assistant.store.chroma import index_version, indexed_paths, open_collection
    from assistant.store.quote_file import quoted_people

    version = index_version(open_collection(s))
    everyone = quoted_people(s, version, lambda: (str(p) for p in indexed_paths(s)))
    if not args.name:
        if args.json:
            print(json.dumps([p.summary() for p in everyone], ensure_ascii=False, indent=2))
            return 0
        if not everyone:
            print("No attributed quotes in the indexed articles.")
            return 0
        width = max(len(p.name) for p in everyone)
        print(f"{'person':<{width}}  quotes  articles")
        for p in everyone:
            print(f"{p.name:<{width}}  {len(p.quotes):>6}  {p.articles:>8}")
        print('\nShow one person\'s quotes with: assistant people "NAME"')
        return 0
    person = people.find(everyone, args.name)
    if person is None:
        raise UserError(f"nobody called {args.name!r} is quoted in the index; list everyone with: assistant people")
    if args.json:
        print(json.dumps(person.to_json(), ensure_ascii=False, indent=2))
        return 0
    also = f" (also {', '.join(person.variants)})" if person.variants else ""
    n, a = len(person.quotes), person.articles
    print(f"{person.name}{also}: {n} quote{'s' * (n != 1)} in {a} article{'s' * (a != 1)}\n")
    for i, q in enumerate(person.quotes, 1):
        mark = "“”" if q.kind == "direct" else "  "
        print(f"[{i}] {mark[0]}{q.text}{mark[1]}")
        print(f"    {_where(q)}\n    {q.path} [{q.start}:{q.end}]  ({q.kind} quote)\n")
    return 0


def _score(args: argparse.Namespace) -> int:
    from assistant.quotes.evaluation import load_labels, score

    report = score(load_labels(args.score, args.articles))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    for key, value in report.items():
        if key != "misses":
            print(f"{key:18} {value}")
    for m in report["misses"]:
        print(f"  miss: want {m['want']} got {m['got']!r}: {m['text']}")
    return 0
