"""The package's imports flow one way (docs/architecture.md), with no cycle between modules.

surfaces (cli, ui) → evaluate → answer → retrieve → store → quotes → ingest; ``llm`` serves the
answer stage and above; ``config``, ``policy`` and ``errors`` serve everyone.  A surface uses
another surface only through its public modules.  Every import counts, including those inside
functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

PACKAGE = ROOT / "assistant"
CORE = {"config", "policy", "errors", "offline"}
_BELOW = {
    "ingest": set(),
    "llm": set(),
    "quotes": {"ingest"},
    "store": {"ingest", "quotes"},
    "retrieve": {"store", "quotes", "ingest"},
    "answer": {"retrieve", "store", "quotes", "ingest", "llm"},
    "evaluate": {"answer", "retrieve", "store", "quotes", "ingest", "llm"},
}
SURFACES = {"cli", "ui"}
ALLOWED = _BELOW | {s: set(_BELOW) for s in SURFACES}
PUBLIC = {"ui": {"assistant.ui", "assistant.ui.client"}, "cli": {"assistant.cli"}}
"""What one surface may import of another."""


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Each module of the package at ``root`` and the package modules it imports."""
    files = {_module_name(p, root): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                for a in node.names:
                    deps.add(f"{base}.{a.name}" if f"{base}.{a.name}" in files else base)
        graph[name] = {d for d in deps if d in files and d != name}
    return graph


def _stage(module: str) -> str:
    parts = module.split(".")
    return "root" if len(parts) == 1 else ("core" if parts[1] in CORE else parts[1])


def violations(graph: dict[str, set[str]]) -> list[str]:
    """Imports against the flow, and surface-to-surface imports past the public modules."""
    out = []
    for module, deps in sorted(graph.items()):
        here = _stage(module)
        if here in ("root", "core"):
            continue
        for dep in sorted(deps):
            there = _stage(dep)
            if there in ("core", here):
                continue
            if here in SURFACES and there in SURFACES:
                if dep not in PUBLIC[there]:
                    out.append(f"{module} imports {dep}, an internal of the {there} surface")
            elif there not in ALLOWED.get(here, set()):
                out.append(f"{module} ({here}) imports {dep} ({there}), against the flow")
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or through others (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_imports_flow_one_way():
    assert violations(import_graph(PACKAGE)) == []


def test_no_two_modules_import_each_other():
    assert cycles(import_graph(PACKAGE)) == []


def test_every_module_belongs_to_a_stage():
    stages = {_stage(m) for m in import_graph(PACKAGE)}
    assert stages <= {"root", "core"} | set(ALLOWED), stages - ({"root", "core"} | set(ALLOWED))


def _plant(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / "assistant" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "assistant"


@pytest.mark.parametrize(
    "files, expect",
    [
        ({"ingest/load.py": "def f():\n    from assistant.answer.refusal import decide\n",
          "answer/refusal.py": "decide = 1\n"}, "against the flow"),
        ({"cli/ask.py": "from assistant.ui import chat\n", "ui/chat.py": "x = 1\n"}, "internal of the ui surface"),
    ],
)  # fmt: skip
def test_the_check_sees_a_planted_bad_import(tmp_path, files, expect):
    """Positive control: the same check on a package with one bad import reports it."""
    for init in ("__init__.py", "ingest/__init__.py", "answer/__init__.py", "cli/__init__.py", "ui/__init__.py"):
        files.setdefault(init, "")
    found = violations(import_graph(_plant(tmp_path, files)))
    assert len(found) == 1 and expect in found[0], found


def test_the_check_sees_a_planted_cycle(tmp_path):
    root = _plant(
        tmp_path,
        {
            "__init__.py": "",
            "store/__init__.py": "",
            "store/embed.py": "def f():\n    from .onnx import g\n",
            "store/onnx.py": "from assistant.store.embed import f\n",
        },
    )
    assert cycles(import_graph(root)) == [["assistant.store.embed", "assistant.store.onnx"]]
