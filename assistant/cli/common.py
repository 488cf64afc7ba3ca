"""What the command groups share: the common flags, messages, and the ``--server`` fallback."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant.config import positive_int
from assistant.retrieve.filters import UNDATED


def command(sub: Any, name: str, handler: Callable) -> argparse.ArgumentParser:
    """Add subcommand ``name``, run by ``handler``.  The handler's docstring is its help: the
    first line in ``assistant --help``, the rest what ``assistant NAME --help`` says."""
    import inspect

    summary, _, rest = inspect.cleandoc(handler.__doc__ or "").partition("\n\n")
    p = sub.add_parser(name, help=summary, description=" ".join(rest.split()) or summary)
    p.set_defaults(handler=handler)
    return p


def say(message: str) -> None:
    """A progress note, on standard error."""
    print(message, file=sys.stderr)


def err(message: str) -> None:
    print(f"assistant: error: {message}", file=sys.stderr)


def store_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("store")
    g.add_argument(
        "--index-dir", type=Path, metavar="DIR", help="folder of the embedded Chroma store (default: index/)"
    )
    g.add_argument("--chroma-url", metavar="URL", help="use a Chroma server, e.g. http://127.0.0.1:8000")
    g.add_argument("--quiet", "-q", action="store_true", default=None, help="no progress output")


def query_flags(p: argparse.ArgumentParser, llm: bool = True) -> None:
    """--k, --policy, the store flags and (for commands that generate) the LLM flags."""
    p.add_argument("--k", type=positive_int, help="number of passages per question (default 5)")
    p.add_argument(
        "--policy",
        dest="policy_file",
        type=Path,
        metavar="FILE",
        help="JSON file overriding thresholds of retrieval, support and refusal (env ASSISTANT_POLICY; "
        "see assistant/policy.py and docs/evaluation.md)",
    )
    store_flags(p)
    if llm:
        llm_flags(p)


def filter_flags(p: argparse.ArgumentParser) -> None:
    """--since, --until and --source: which articles a question is answered from."""
    g = p.add_argument_group(
        "filters", "answer only from some articles; the store itself is filtered, so nothing outside is ranked"
    )
    g.add_argument("--since", metavar="DATE", help="articles dated on or after DATE: 2022-06-07, 2022-06 or 2022")
    g.add_argument("--until", metavar="DATE", help="articles dated on or before DATE (2022 means to 2022-12-31)")
    g.add_argument(
        "--source",
        action="append",
        metavar="NAME_OR_FOLDER",
        help="a publisher (as `assistant retrieve` shows it, any case) or a file or folder; repeat for "
        "several. Undated articles are left out whenever --since or --until is set",
    )


def filters_from(args: argparse.Namespace) -> Any:
    """The :class:`~assistant.retrieve.filters.Filters` of the filter flags (empty when none given)."""
    from assistant.retrieve.filters import Filters

    return Filters.of(getattr(args, "since", None), getattr(args, "until", None), getattr(args, "source", None))


def server_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--server",
        metavar="URL",
        help="send the question to a running `assistant serve` at URL (e.g. http://127.0.0.1:7860) instead of "
        "loading the models here; same output, a few seconds sooner (env ASSISTANT_SERVER)",
    )


def llm_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("language model")
    g.add_argument("--llm", choices=["llamacpp", "openai", "ollama"], help="LLM backend (default: llamacpp)")
    g.add_argument("--model", dest="llm_model", metavar="NAME_OR_GGUF", help="model name, or a GGUF path for llamacpp")
    g.add_argument(
        "--base-url",
        dest="llm_base_url",
        metavar="URL",
        help="server URL for openai/ollama, e.g. http://127.0.0.1:8080/v1",
    )


def print_passages(passages: Sequence[dict[str, Any]]) -> None:
    """Passages in their JSON shape (:meth:`assistant.retrieve.retriever.Passage.to_json`), numbered."""
    for n, p in enumerate(passages, 1):
        where = " · ".join(x for x in (p["publisher"], p["date"] or UNDATED) if x)
        print(f"[{n}] {p['title'] or p['source']}" + (f" ({where})" if where else ""))
        page = f" (page {p['page']})" if p.get("page") else ""
        print(f"    {p['source']} chars {p['start']}-{p['end']}{page}  score {p['score']:.4f}")
        print("    " + p["text"].replace("\n", "\n    "))
        print()


def via_server(call: Callable[[], Any]) -> Any:
    """``call()`` against ``s.server``; ``None`` (after a note) when no usable server is there."""
    from assistant.ui.client import ServerUnavailable

    try:
        return call()
    except ServerUnavailable as exc:
        # A warning, not progress: shown even with --quiet, so a reader knows who answered.
        print(f"note: {exc}; answering in this process", file=sys.stderr)
        return None
