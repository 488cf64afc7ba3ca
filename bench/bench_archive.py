"""A real archive end to end: the Reuters-21578 newswire (``../shared/bench/reuters21578``), each
figure of issue "An archive, not five files" beside its target.

    .venv/bin/python bench/bench_archive.py                      # the whole archive (~16,700 articles)
    .venv/bin/python bench/bench_archive.py --limit 2000 --out /tmp/archive-2k.json   # a sample
    .venv/bin/python bench/bench_archive.py --index-dir DIR --reuse-index   # all but the build from empty

Steps, each a new process timed by the wall clock (peak RSS from the kernel's accounting of
that process): ``assistant index`` into an empty store, the same again (nothing changed), again
after one article changed; ``assistant serve`` from its start to its first answer (and the first
token of four more questions, through ``/api/ask``); the People tab's data (the saved quote
index, grouped, in a new process); retrieval inside one process, warm, without and with a date
filter. Writes ``--out`` (JSON) and prints the Markdown table of docs/benchmarks.md. Run it on an
otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent
REUTERS = ROOT.parent / "shared" / "bench" / "reuters21578"
TARGETS = {  # figure -> (target, unit), as the issue sets them
    "index_s": (600, "s"),
    "rerun_s": (20, "s"),
    "one_changed_s": (5, "s"),
    "serve_first_answer_s": (15, "s"),
    "people_s": (1, "s"),
    "retrieve_p50_ms": (50, "ms"),
    "retrieve_p95_ms": (None, "ms"),
    "retrieve_filtered_p50_ms": (None, "ms"),
    "first_token_p50_s": (3.5, "s"),
    "serve_peak_rss_gb": (3.5, "GB"),
    "index_peak_rss_gb": (None, "GB"),
}
LABELS = {
    "index_s": "`assistant index` from empty",
    "rerun_s": "re-run, nothing changed",
    "one_changed_s": "re-run, one file changed",
    "serve_first_answer_s": "`assistant serve` start to first answer",
    "people_s": "People tab data (saved quote index, grouped)",
    "retrieve_p50_ms": "retrieval p50, warm",
    "retrieve_p95_ms": "retrieval p95, warm",
    "retrieve_filtered_p50_ms": "retrieval p50 with a date filter (about half the archive)",
    "first_token_p50_s": "first token p50 (server warm)",
    "serve_peak_rss_gb": "peak RSS of the server",
    "index_peak_rss_gb": "peak RSS of `assistant index`",
}


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Seconds, peak RSS in GB and standard output of one process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed")
    return seconds, usage.ru_maxrss / 1024 / 1024, out


def articles(folder: Path, limit: int) -> list[Path]:
    """The archive as article files (written once by the archive's own script)."""
    if not folder.is_dir() or not any(folder.iterdir()):
        extra = ["--limit", str(limit)] if limit else []
        subprocess.run([sys.executable, str(REUTERS / "to_articles.py"), str(folder), *extra], check=True)
    return sorted(folder.glob("*.txt"))


def questions(files: list[Path], n: int, seed: int = 7) -> list[str]:
    """Questions a reader of the archive might ask: seeded random headlines, asked as questions."""
    rng = random.Random(seed)
    titles = [
        f.read_text(encoding="utf-8").split("\n", 1)[0].strip() for f in rng.sample(files, min(n * 3, len(files)))
    ]
    return [f"What happened: {t}?" for t in titles if len(t.split()) >= 4][:n]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post_lines(url: str, body: dict) -> tuple[float, float]:
    """Seconds to the first token line and to the result line of one ``/api/ask``."""
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    t0 = time.perf_counter()
    first = None
    with urllib.request.urlopen(req, timeout=600) as resp:
        for line in resp:
            item = json.loads(line)
            if "token" in item and first is None:
                first = time.perf_counter() - t0
            if "result" in item or "error" in item:
                break
    total = time.perf_counter() - t0
    return (first if first is not None else total), total


def serve(index_dir: Path, env: dict[str, str], qs: list[str]) -> dict[str, float]:
    """Start to first answer, then the first token of the other questions, and the peak RSS."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(BIN / "assistant"), "serve", "--port", str(port), "--index-dir", str(index_dir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    try:
        while True:
            try:
                _, _ = post_lines(url + "/api/ask", {"question": qs[0]})
                break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - t0 > 600:
                    raise SystemExit("the server did not answer") from None
                time.sleep(0.2)
        first_answer = time.perf_counter() - t0
        firsts = [post_lines(url + "/api/ask", {"question": q})[0] for q in qs[1:5]]
        status = Path(f"/proc/{proc.pid}/status").read_text()
        peak_kb = int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("VmHWM")))
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return {"serve_first_answer_s": first_answer, "first_token_p50_s": statistics.median(firsts),
            "serve_peak_rss_gb": peak_kb / 1024 / 1024}  # fmt: skip


PEOPLE = """
import sys, time
t0 = time.perf_counter()
from assistant.config import Settings
from assistant.store.chroma import index_version, open_collection
from assistant.store.quote_file import quoted_people
from assistant.ui.people import table_rows
s = Settings.from_env()
version = index_version(open_collection(s))
t1 = time.perf_counter()
people = quoted_people(s, version, lambda: sys.exit("no saved quote index"))
rows = table_rows(people)
print(time.perf_counter() - t1, len(rows))
"""


def retrieval(index_dir: Path, qs: list[str]) -> dict[str, float]:
    from assistant.config import Settings
    from assistant.retrieve.filters import Filters
    from assistant.retrieve.retriever import Retriever

    r = Retriever(Settings.from_env().with_(index_dir=index_dir, quiet=True))
    dates = sorted(a["date"] for a in r._snap.articles if a["date"])
    half = Filters.of(since=dates[len(dates) // 2]) if dates else None

    def times(filters) -> list[float]:
        r.search(qs[0], 5, filters)  # warm
        out = []
        for q in qs * 2:
            t = time.perf_counter()
            r.search(q, 5, filters)
            out.append((time.perf_counter() - t) * 1000)
        return sorted(out)

    plain = times(None)
    filtered = times(half) if half else [0.0]
    return {"retrieve_p50_ms": statistics.median(plain), "retrieve_p95_ms": plain[int(0.95 * (len(plain) - 1))],
            "retrieve_filtered_p50_ms": statistics.median(filtered)}  # fmt: skip


def table(figures: dict[str, float]) -> str:
    rows = ["| figure | measured | target | met |", "| --- | ---: | ---: | :---: |"]
    for key, (target, unit) in TARGETS.items():
        if key not in figures:
            continue
        value = figures[key]
        shown = f"{value:.2f} {unit}" if value < 10 else f"{value:.1f} {unit}"
        goal = f"≤ {target} {unit}" if target is not None else "—"
        met = "" if target is None else ("yes" if value <= target else "**no**")
        rows.append(f"| {LABELS[key]} | {shown} | {goal} | {met} |")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=Path, default=Path(tempfile.gettempdir()) / "reuters", help="article folder")
    ap.add_argument("--limit", type=int, default=0, help="only the first N articles (0: all)")
    ap.add_argument("--index-dir", type=Path, default=None, help="store to build (default: a new temporary folder)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "archive.json")
    ap.add_argument(
        "--reuse-index",
        action="store_true",
        help="keep the index already in --index-dir (indexed by this script before) and carry the "
        "from-empty figures over from --out, with the commit they were measured at",
    )
    args = ap.parse_args()
    if args.reuse_index and not (args.index_dir and (args.index_dir / "chroma.sqlite3").is_file()):
        raise SystemExit("--reuse-index needs --index-dir with an index in it")
    files = articles(args.articles, args.limit)
    index_dir = args.index_dir or Path(tempfile.mkdtemp(prefix="archive-index-"))
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(index_dir), "ASSISTANT_QUIET": "1"}
    index = [str(BIN / "assistant"), "index", str(args.articles), "-q"]
    figures: dict[str, float] = {}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout
    built_at = commit.strip()
    if args.reuse_index:
        before = json.loads(args.out.read_text(encoding="utf-8"))
        figures["index_s"], figures["index_peak_rss_gb"] = (
            before["figures"][k] for k in ("index_s", "index_peak_rss_gb")
        )
        summary, built_at = before["index_summary"], before.get("index_measured_at", "508d39a")
        run(index, env)  # brings the reused index to this commit's files (the first run may write new tables)
    else:
        figures["index_s"], figures["index_peak_rss_gb"], summary = run(index, env)
    figures["rerun_s"], _, _ = run(index, env)
    changed = files[len(files) // 2]
    original = changed.read_text(encoding="utf-8")
    try:
        changed.write_text(
            original + "\nA closing line was added to this article for the benchmark.\n", encoding="utf-8"
        )
        figures["one_changed_s"], _, _ = run(index, env)
    finally:
        changed.write_text(original, encoding="utf-8")
    run(index, env)  # back to the archive as it is
    _, _, out = run([sys.executable, "-c", PEOPLE], env)
    figures["people_s"], people = float(out.split()[0]), int(out.split()[1])
    qs = questions(files, 20)
    figures |= retrieval(index_dir, qs)
    figures |= serve(index_dir, env, qs)
    report = {
        "articles": len(files),
        "index_summary": summary.strip(),
        "people": people,
        "figures": {k: round(v, 3) for k, v in figures.items()},
        "targets": {k: t for k, (t, _) in TARGETS.items()},
        "command": " ".join(["bench/bench_archive.py", *sys.argv[1:]]),
        "commit": commit.strip(),
        "index_measured_at": built_at,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"{len(files)} articles; {summary.strip()}; {people} people quoted\n")
    print(table(figures))


if __name__ == "__main__":
    main()
