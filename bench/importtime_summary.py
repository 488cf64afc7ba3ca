"""Summarise ``python -X importtime`` for one ``assistant`` command: total import time and
the heaviest top-level packages (cumulative time of each first-level import).

    .venv/bin/python bench/importtime_summary.py retrieve "What did Shin Kak-soo say about Quad+?"
    .venv/bin/python bench/importtime_summary.py ask "What did Shin Kak-soo say about Quad+?"

Runs the command once in a child process with ``-X importtime`` and reads its stderr.
llama.cpp silences stderr (at the file-descriptor level) while it loads a model, which would
hide the imports made meanwhile by other threads; the child therefore loads with that
silencing turned off (for every command but ``retrieve``, which never loads it). ``llama_cpp``
is imported first for that, so its import time is counted as a top-level package.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict


def main() -> None:
    code = (
        "import sys\n"
        "if sys.argv[1] != 'retrieve':\n"
        "    from llama_cpp._utils import suppress_stdout_stderr as quiet\n"
        "    quiet.__enter__ = lambda self: self\n"
        "    quiet.__exit__ = lambda self, *exc: None\n"
        "sys.argv[0] = 'assistant'\n"
        "from assistant.cli.main import main\n"
        "sys.exit(main())\n"
    )
    cmd = [sys.executable, "-X", "importtime", "-c", code]
    proc = subprocess.run([*cmd, *sys.argv[1:]], capture_output=True, text=True)
    packages: dict[str, float] = defaultdict(float)
    total = 0.0
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|")
        if name.startswith("  "):  # a nested import is counted inside its parent
            continue
        us = int(cumulative.strip())
        packages[name.strip().split(".")[0]] += us / 1e6
        total += us / 1e6
    top = sorted(packages.items(), key=lambda kv: -kv[1])[:12]
    print(
        json.dumps(
            {
                "command": sys.argv[1:2],
                "import_total_s": round(total, 2),
                "top_packages_s": {k: round(v, 2) for k, v in top},
                "imports_torch": "torch" in packages or any("torch" in ln for ln in proc.stderr.splitlines()),
                "imports_gradio": any(ln.endswith("| gradio") or "| gradio." in ln for ln in proc.stderr.splitlines()),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
