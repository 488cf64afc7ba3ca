"""Kill `assistant index` with SIGKILL at random moments, N times, and check after each
recovery run that the store holds exactly the chunks of a fresh build: no duplicates,
no losses.

    .venv/bin/python bench/crash_loop.py [--rounds 20] [--corpus seeds]
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.config import PROJECT_ROOT, Settings
from assistant.store.build import build_index  # noqa: E402
from assistant.store.chroma import get_all, open_collection  # noqa: E402

ASSISTANT = str(Path(sys.executable).parent / "assistant")


def ids(index_dir: Path) -> list[str]:
    return get_all(open_collection(Settings.from_env().with_(index_dir=index_dir)), [])["ids"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--corpus", type=Path, default=PROJECT_ROOT / "seeds")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        build_index([args.corpus], Settings.from_env().with_(index_dir=tmp / "fresh", quiet=True), say=lambda m: None)
        expected = sorted(ids(tmp / "fresh"))
        rows = []
        for n in range(args.rounds):
            target = tmp / f"run{n}"  # a new store each round, so every kill can hit a build in progress
            delay = rng.uniform(2.0, 10.0)
            proc = subprocess.Popen(
                [ASSISTANT, "index", str(args.corpus), "--index-dir", str(target), "-q"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(delay)
            finished_first = proc.poll() is not None
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            rec = subprocess.run(
                [ASSISTANT, "index", str(args.corpus), "--index-dir", str(target), "-q"], capture_output=True, text=True
            )
            got = ids(target)
            rows.append(
                {
                    "round": n,
                    "killed_after_s": round(delay, 1),
                    "finished_before_kill": finished_first,
                    "recovery_exit": rec.returncode,
                    "chunks": len(got),
                    "duplicates": len(got) - len(set(got)),
                    "missing": len(set(expected) - set(got)),
                    "extra": len(set(got) - set(expected)),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    bad = [r for r in rows if r["recovery_exit"] or r["duplicates"] or r["missing"] or r["extra"]]
    print(json.dumps({"rounds": len(rows), "expected_chunks": len(expected), "rounds_with_loss_or_dupes": len(bad)}))


if __name__ == "__main__":
    main()
