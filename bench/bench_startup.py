"""Cold-start times, each from the start of a new process:

* ``assistant ask`` to the first byte of its streamed answer;
* ``assistant retrieve`` to its exit (passages printed);
* ``assistant serve`` to its first answered question;
* ``assistant ask --server URL`` (a server already running, warmed with another question) to
  its first byte; each run asks a different dev-set question, so no answer is in the model's cache.

    .venv/bin/python bench/bench_startup.py [--runs 3] [--only ask,retrieve,serve,ask_server]

Uses the default index (build it first with ``assistant index``). Prints JSON with every run
and the medians. Run it on an otherwise idle machine: the figures are wall-clock times.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

BIN = Path(sys.executable).parent
QUESTION = "What did Shin Kak-soo say about Quad+?"
DEV = Path(__file__).resolve().parent.parent / "eval" / "dev.jsonl"


def other_questions(n: int) -> list[str]:
    """``n`` answerable dev-set questions other than :data:`QUESTION`."""
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        r["question"] for r in rows if r.get("kind") == "factual" and not r.get("history") and r["question"] != QUESTION
    ][:n]


KINDS = ("ask", "retrieve", "serve", "ask_server")


def _first_byte(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    proc.stdout.read(1)  # the CLI prints nothing on stdout before the first answer token
    first = time.perf_counter() - t0
    proc.stdout.read()
    if proc.wait() != 0:
        raise SystemExit(f"{' '.join(cmd)} failed")
    return first


def ask_first_token() -> float:
    return _first_byte([str(BIN / "assistant"), "ask", QUESTION])


def retrieve_cold() -> float:
    t0 = time.perf_counter()
    subprocess.run([str(BIN / "assistant"), "retrieve", QUESTION], check=True, capture_output=True)
    return time.perf_counter() - t0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answered(url: str) -> bool:
    """POST one question to the server's JSON endpoint; True once it answers."""
    body = json.dumps({"question": QUESTION}).encode()
    req = urllib.request.Request(f"{url}/api/ask", data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=300) as resp:
            resp.read()
            return resp.status == 200
    except OSError:
        return False


class Server:
    """``assistant serve`` on a free loopback port, for the duration of a ``with``."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            [str(BIN / "assistant"), "serve", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while not _answered(self.url):
            if self.proc.poll() is not None or time.perf_counter() - self.t0 > 300:
                raise SystemExit("assistant serve did not answer")
            time.sleep(0.1)
        self.first_answer = time.perf_counter() - self.t0
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait()


def serve_first_answer() -> float:
    with Server() as server:
        return server.first_answer


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default=",".join(KINDS), help="comma-separated subset of " + ", ".join(KINDS))
    args = ap.parse_args()
    kinds = [k for k in args.only.split(",") if k]
    os.environ.pop("ASSISTANT_SERVER", None)
    out: dict[str, object] = {"runs": args.runs}
    measures: dict[str, Callable[[], float]] = {
        "ask": ask_first_token,
        "retrieve": retrieve_cold,
        "serve": serve_first_answer,
    }
    for kind in kinds:
        if kind == "ask_server":
            with Server() as server:
                questions = other_questions(args.runs)
                times = [_first_byte([str(BIN / "assistant"), "ask", q, "--server", server.url]) for q in questions]
        else:
            times = [measures[kind]() for _ in range(args.runs)]
        out[f"{kind}_s"] = [round(x, 2) for x in times]
        out[f"{kind}_median_s"] = round(statistics.median(times), 2)
        print(f"{kind}: {out[f'{kind}_s']}", file=sys.stderr)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
