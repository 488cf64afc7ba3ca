"""``assistant serve``: the local web chat."""

from __future__ import annotations

import argparse

from assistant.cli.common import command, query_flags
from assistant.config import Settings


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "serve", cmd_serve)
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--auth", help="USER:PASS, or a file with one USER:PASS per line (env ASSISTANT_AUTH)")
    query_flags(p)


def cmd_serve(args: argparse.Namespace, s: Settings) -> int:
    """start the local web chat

    Start the chat page. It listens on 127.0.0.1 only unless you pass --host; when exposed,
    protect it with --auth.
    """
    from assistant.ui import serve

    serve(s, args.host, args.port, args.auth or s.auth)
    return 0
