"""JSON endpoints of ``assistant serve`` for command-line clients (:mod:`assistant.ui.client`).

* ``POST /api/ask`` ``{"question", "history"?, "k"?, "since"?, "until"?, "source"?, "identity"?}``
  streams JSON lines:
  ``{"token": …}`` as the answer is written, then ``{"result": …}`` (the same object as
  ``assistant ask --json``), or ``{"error": {"kind": "user"|"backend", "message": …}}``.
* ``POST /api/retrieve`` ``{"question", "k"?, "since"?, "until"?, "source"?, "identity"?}`` returns
  ``{"question", "passages"}``.

``since`` and ``until`` are dates (``2022``, ``2022-06`` or ``2022-06-07``, inclusive) and ``source``
a list of publishers or folders (:class:`~assistant.retrieve.filters.Filters`); a bad filter is
an error of kind ``user``.

When the server was started with ``--auth``, both need the same USER:PASS as HTTP Basic
credentials. A request whose ``identity`` differs from the server's own settings gets
HTTP 409, so a client never prints an answer from another index or policy than its own.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Iterator
from typing import Any

from fastapi import Request  # at module level: FastAPI resolves the handlers' annotations here
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from assistant.config import Settings
from assistant.errors import BackendError, UserError
from assistant.retrieve.filters import Filters
from assistant.ui.client import ASK_PATH, RETRIEVE_PATH, identity


def _authorized(header: str, pairs: list[tuple[str, str]] | None) -> bool:
    if not pairs:
        return True
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    given = (user.encode(), password.encode())
    return any(hmac.compare_digest(given[0], u.encode()) & hmac.compare_digest(given[1], p.encode()) for u, p in pairs)


def _error(exc: Exception) -> dict[str, Any]:
    return {"error": {"kind": "user" if isinstance(exc, UserError) else "backend", "message": str(exc)}}


def routes(app: Any, settings: Settings, pairs: list[tuple[str, str]] | None) -> list[APIRoute]:
    """The endpoints, handed to the server before it listens; ``app`` is the :class:`assistant.ui.state.App`."""
    own = identity(settings)

    async def _body(request: Request) -> tuple[dict[str, Any] | None, Any]:
        """The request's JSON, or the response that refuses it."""
        if not _authorized(request.headers.get("authorization", ""), pairs):
            return None, JSONResponse({"detail": "authentication required"}, 401, {"WWW-Authenticate": "Basic"})
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("question"), str):
            return None, JSONResponse({"detail": 'send a JSON object with a "question" string'}, 400)
        theirs = body.get("identity")
        if theirs is not None and theirs != own:
            differ = sorted(k for k in own if own[k] != (theirs or {}).get(k))
            return None, JSONResponse({"detail": "different " + ", ".join(differ)}, 409)
        return body, None

    def _k(body: dict[str, Any]) -> int | None:
        k = body.get("k")
        return int(k) if isinstance(k, int) and not isinstance(k, bool) and k > 0 else None

    def _filters(body: dict[str, Any]) -> Filters:
        since, until, source = body.get("since"), body.get("until"), body.get("source")
        if not all(v is None or isinstance(v, str) for v in (since, until)):
            raise UserError('"since" and "until" must be date strings such as "2022-06"')
        return Filters.of(since, until, [source] if isinstance(source, str) else source)

    def _lines(body: dict[str, Any]) -> Iterator[str]:
        from assistant.answer.condense import parse_history

        try:
            app.wait_ready()
            history = parse_history(body.get("history") or [])
            reader = app.stream(body["question"], history, _k(body), _filters(body))
            for token in reader:
                if token:
                    yield json.dumps({"token": token}, ensure_ascii=False) + "\n"
                elif reader.retrieved is not None:  # retrieval done: the passages, before the first token
                    passages = [p.to_json() for p in reader.retrieved]
                    yield json.dumps({"retrieved": passages}, ensure_ascii=False) + "\n"
            yield json.dumps({"result": reader.finish().to_json()}, ensure_ascii=False) + "\n"
        except (UserError, BackendError) as exc:
            yield json.dumps(_error(exc), ensure_ascii=False) + "\n"

    async def ask(request: Request) -> Any:
        body, refusal = await _body(request)
        if refusal is not None:
            return refusal
        return StreamingResponse(_lines(body), media_type="application/x-ndjson")

    def _retrieve(body: dict[str, Any]) -> dict[str, Any]:
        try:
            passages = app.search(body["question"], _k(body), _filters(body))
        except UserError as exc:
            return _error(exc)
        return {"question": body["question"].strip(), "passages": [p.to_json() for p in passages]}

    async def retrieve(request: Request) -> Any:
        body, refusal = await _body(request)
        if refusal is not None:
            return refusal
        return JSONResponse(await run_in_threadpool(_retrieve, body))

    return [APIRoute(ASK_PATH, ask, methods=["POST"]), APIRoute(RETRIEVE_PATH, retrieve, methods=["POST"])]
