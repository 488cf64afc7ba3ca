"""Recording: the full pipeline's measurements for labelled questions, resumable and cached.

Every question is answered once by the :class:`~assistant.answer.answerer.Answerer` in record mode
(every measurement taken, the model's yes/no verification asked whenever a sentence is kept)
and one JSON line is appended to the output per question.  A line is keyed by the set, the
question's id and :data:`RECORD_VERSION`; a re-run skips what is recorded at this version, so
a killed run resumes where it stopped.

Sets are ``NAME=DATASET=CORPUS``.  A dataset is either the project's eval format
(:func:`~assistant.evaluate.metrics.load_dataset`) or SQuAD-style pool lines with ``article``,
``answerable``, ``answers`` and ``paragraph`` offsets (``../shared/eval/squad-dev/train-pool.jsonl``);
a pool is taken in a seeded order that interleaves its articles, so any prefix of the run is
stratified by article::

    python -m assistant.evaluate.record --out docs/confidence/records.jsonl \\
        --set dev=eval/dev.jsonl=seeds --set pool=../shared/eval/squad-dev/train-pool.jsonl=../shared/eval/squad-dev/corpus
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import UserError
from assistant.evaluate.metrics import Example, load_dataset

RECORD_VERSION = "1"
"""Bump when a change alters what the pipeline measures; records of another version are redone."""
SEED = 13
SUPPORT_CONTEXT = 60
"""Characters kept either side of a pool answer for its ``support`` string (within its paragraph)."""


@dataclass
class Job:
    """One question to record, with what its label needs."""

    set: str
    corpus: Path
    example: Example
    extra: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.set}|{self.example.id}|{RECORD_VERSION}"


def _pool_example(d: dict[str, Any], text: str) -> tuple[Example, dict[str, Any]]:
    answers = list(dict.fromkeys(a["text"] for a in d.get("answers", [])))
    support = []
    if d["answerable"] and d.get("answers"):
        a, para = d["answers"][0], d["paragraph"]
        lo, hi = max(para["start"], a["start"] - SUPPORT_CONTEXT), min(para["end"], a["end"] + SUPPORT_CONTEXT)
        support = [" ".join(text[lo:hi].split())]
    ex = Example(
        id=d["id"],
        question=d["question"],
        support=support,
        facts=[answers] if d["answerable"] else [],
        kind="factual" if d["answerable"] else "unanswerable",
    )
    extra = {
        "article": d["article"],
        "paragraph": d["paragraph"],
        "plausible": [a["text"] for a in d.get("plausible_answers", [])],
    }
    return ex, extra


def _interleave(groups: dict[str, list[Any]], seed: int) -> list[Any]:
    """Each group shuffled with ``seed``, then taken round-robin, so every prefix is stratified."""
    rng = random.Random(seed)
    lists = []
    for name in sorted(groups):
        items = list(groups[name])
        rng.shuffle(items)
        lists.append(items)
    out = []
    for i in range(max((len(x) for x in lists), default=0)):
        out += [x[i] for x in lists if i < len(x)]
    return out


def load_jobs(spec: str) -> list[Job]:
    """The questions of one ``NAME=DATASET=CORPUS`` set, in recording order."""
    try:
        name, data, corpus = spec.split("=")
    except ValueError:
        raise UserError(f"--set takes NAME=DATASET=CORPUS, got {spec!r}") from None
    path, folder = Path(data), Path(corpus)
    if not path.is_file() or not folder.is_dir():
        raise UserError(f"--set {spec}: no dataset file or no article folder")
    lines = path.read_text(encoding="utf-8").splitlines()
    if '"answerable"' not in next((x for x in lines if x.strip()), ""):
        return [Job(name, folder, ex, {}) for ex in load_dataset(path)]
    groups: dict[str, list[Job]] = {}
    texts: dict[str, str] = {}
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            article = d["article"]
            text = texts.setdefault(article, (folder / article).read_text(encoding="utf-8"))
            ex, extra = _pool_example(d, text)
        except (ValueError, KeyError, TypeError, OSError) as exc:
            raise UserError(f"{path}:{n}: bad pool line ({exc})") from None
        groups.setdefault(article, []).append(Job(name, folder, ex, extra))
    return _interleave(groups, SEED)


def restore(out: Path) -> None:
    """Start ``out`` from its committed snapshot ``out.gz`` when ``out`` does not exist yet."""
    import gzip
    import shutil

    snapshot = out.with_name(out.name + ".gz")
    if not out.exists() and snapshot.exists():
        with gzip.open(snapshot, "rb") as src, out.open("wb") as dst:
            shutil.copyfileobj(src, dst)


def done_keys(out: Path) -> set[str]:
    """The keys already recorded in ``out`` (a torn last line is ignored and redone)."""
    if not out.exists():
        return set()
    keys = set()
    for line in out.read_text(encoding="utf-8").splitlines():
        try:
            keys.add(json.loads(line)["key"])
        except (ValueError, KeyError, TypeError):
            continue
    return keys


def to_line(job: Job, r: Any) -> dict[str, Any]:
    """One question's record: the calibration record plus the label's inputs and what was shown."""
    from assistant.evaluate.calibrate import EvalSet, to_record

    rec = to_record(EvalSet(job.set, Path(), job.corpus), job.example, r)
    return rec | {
        "key": job.key,
        "version": RECORD_VERSION,
        **job.extra,
        "answer": r.answer,
        "status": r.status,
        "method": r.method,
        "citations": [{"source": c.source, "start": c.start, "end": c.end, "text": c.text} for c in r.citations],
        "conflicts": r.conflicts,
    }


def run(jobs: list[Job], settings: Any, out: Path, limit: int, say: Callable[[str], None]) -> int:
    """Record the jobs not yet in ``out``, at most ``limit`` of them; returns how many were added."""
    from assistant.evaluate.calibrate import recording_answerer
    from assistant.llm import get_llm

    restore(out)
    done = done_keys(out)
    todo = [j for j in jobs if j.key not in done][: limit or None]
    say(f"{len(done)} recorded already, {len(todo)} to record into {out}")
    if not todo:
        return 0
    llm = get_llm(settings, say=say)
    answerers: dict[Path, Any] = {}
    out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with out.open("a", encoding="utf-8") as fh:
        for n, job in enumerate(todo, 1):
            if job.corpus not in answerers:
                answerers[job.corpus] = recording_answerer(settings, job.corpus, llm)
            r = answerers[job.corpus].answer(job.example.question, job.example.history)
            fh.write(json.dumps(to_line(job, r), ensure_ascii=False) + "\n")
            fh.flush()
            rate = (time.perf_counter() - t0) / n
            say(f"[{n}/{len(todo)}] {job.set} {job.example.id} {r.status} · {rate:.1f} s/question, "
                f"ETA {rate * (len(todo) - n) / 60:.0f} min")  # fmt: skip
    return len(todo)


def _chain(specs: list[str]) -> Iterator[Job]:
    for spec in specs:
        yield from load_jobs(spec)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m assistant.evaluate.record", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True, help="JSON-lines file to append to (resumed if present)")
    p.add_argument("--set", dest="sets", action="append", required=True, help="NAME=DATASET=CORPUS, repeatable")
    p.add_argument("--limit", type=int, default=0, help="record at most this many new questions (0: all)")
    args = p.parse_args(argv)
    from assistant.config import Settings

    try:
        jobs = list(_chain(args.sets))
        run(jobs, Settings.from_env(), args.out, args.limit, say=lambda m: print(m, file=sys.stderr, flush=True))
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
