"""Cold-start times: `assistant ask` to its first streamed token, and `assistant serve` to
its first answered request.

    .venv/bin/python bench/bench_startup.py [--runs 3]

Uses the default index (build it first with `assistant index`). Each run is a new process.
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
from pathlib import Path

BIN = Path(sys.executable).parent
QUESTION = "What did Shin Kak-soo say about Quad+?"


def ask_first_token() -> float:
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(BIN / "assistant"), "ask", QUESTION], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert proc.stdout is not None
    proc.stdout.read(1)  # the CLI prints nothing on stdout before the first answer token
    first = time.perf_counter() - t0
    proc.wait()
    return first


def serve_first_answer() -> float:
    from gradio_client import Client

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(BIN / "assistant"), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ,
    )
    try:
        while True:
            try:
                Client(f"http://127.0.0.1:{port}/", verbose=False).predict(QUESTION, "[]", 5, api_name="/ask")
                return time.perf_counter() - t0
            except Exception:
                if time.perf_counter() - t0 > 300:
                    raise
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    ask = [ask_first_token() for _ in range(args.runs)]
    serve = [serve_first_answer() for _ in range(args.runs)]
    print(
        json.dumps(
            {
                "runs": args.runs,
                "ask_cold_first_token_s": [round(x, 1) for x in ask],
                "ask_cold_first_token_s_median": round(statistics.median(ask), 1),
                "serve_to_first_answer_s": [round(x, 1) for x in serve],
                "serve_to_first_answer_s_median": round(statistics.median(serve), 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
