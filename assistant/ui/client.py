"""Ask a running ``assistant serve`` instead of loading the models in this process.

``assistant ask --server URL`` (or ``ASSISTANT_SERVER``) posts the question to the server's
JSON endpoints (:mod:`assistant.ui.api`) and prints what it sends back, the same as the
in-process answer. Only the standard library is imported here, so a client starts in a
fraction of a second.

The request carries the client's :func:`identity` (its index, policy and LLM settings); a
server with other settings declines with HTTP 409, and the client answers in-process instead.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

from assistant.config import Settings, parse_auth
from assistant.errors import BackendError, UserError
from assistant.retrieve.filters import Filters

ASK_PATH = "/api/ask"
RETRIEVE_PATH = "/api/retrieve"
TIMEOUT = 600.0
"""Seconds the client waits for the server's next bytes."""


class ServerUnavailable(Exception):
    """No usable server at the URL (not running, or running with other settings)."""


def identity(settings: Settings) -> dict[str, Any]:
    """What must match for a server's answer to equal this process's own."""
    store = settings.chroma_url or str(settings.index_dir.resolve())
    return {
        "store": f"{store}#{settings.collection}",
        "policy": settings.load_policy().to_json(),
        "llm": [settings.llm, settings.llm_model, settings.llm_base_url, settings.max_tokens, settings.n_ctx],
    }


def _request(url: str, path: str, body: dict[str, Any], auth: str) -> Any:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise UserError(f"--server must look like http://HOST:PORT, got {url!r}")
    headers = {"Content-Type": "application/json"}
    if parsed.username:
        user, password = parsed.username, parsed.password or ""
    elif auth:
        user, password = parse_auth(auth)[0]  # USER:PASS, or the first line of the server's auth file
    if parsed.username or auth:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    netloc = parsed.hostname + (f":{parsed.port}" if parsed.port else "")
    target = parsed._replace(netloc=netloc, path=parsed.path.rstrip("/") + path).geturl()
    request = urllib.request.Request(target, data=json.dumps(body).encode(), headers=headers)
    try:
        return urllib.request.urlopen(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")
        if exc.code == 409:
            raise ServerUnavailable(f"the server at {url} uses other settings ({detail})") from None
        if exc.code == 401:
            raise UserError(f"the server at {url} needs USER:PASS (in the URL or ASSISTANT_AUTH)") from None
        if exc.code == 404:
            raise ServerUnavailable(f"{url} is not an assistant server") from None
        raise BackendError(f"the server at {url} failed: HTTP {exc.code} {detail[:200]}") from None
    except (OSError, ValueError) as exc:
        raise ServerUnavailable(f"no assistant server at {url} ({getattr(exc, 'reason', exc)})") from None


def _raise(error: dict[str, Any]) -> None:
    kind = UserError if error.get("kind") == "user" else BackendError
    raise kind(str(error.get("message", "the server failed")))


def ask(
    url: str,
    settings: Settings,
    question: str,
    history: list[dict[str, str]],
    k: int | None,
    filters: Filters | None = None,
) -> Iterator[str | dict[str, Any]]:
    """Yield the answer's tokens as the server streams them, then the result's JSON."""
    body = {"question": question, "history": history, "k": k, "identity": identity(settings)}
    body |= filters.to_json() if filters else {}
    with _request(url, ASK_PATH, body, settings.auth) as response, _reading(url):
        for line in response:
            item = _item(url, line)
            if "token" in item:
                yield item["token"]
            elif "result" in item:
                yield item["result"]
            elif "error" in item:
                _raise(item["error"])


@contextlib.contextmanager
def _reading(url: str) -> Iterator[None]:
    """A connection that breaks or times out while the answer is read is a BackendError."""
    try:
        yield
    except (OSError, http.client.HTTPException) as exc:  # a timeout is an OSError
        raise BackendError(f"the server at {url} stopped answering: {type(exc).__name__}: {exc}") from None


def _item(url: str, line: bytes) -> dict[str, Any]:
    """One line of the answer stream as an object; a clear error for anything else."""
    try:
        item = json.loads(line)
    except ValueError:
        item = None
    if not isinstance(item, dict):
        raise BackendError(f"the server at {url} sent a malformed line: {line[:80]!r}")
    return item


def retrieve(
    url: str, settings: Settings, question: str, k: int | None, filters: Filters | None = None
) -> dict[str, Any]:
    """The server's ``{"question", "passages"}`` for ``question``."""
    body = {"question": question, "k": k, "identity": identity(settings)}
    body |= filters.to_json() if filters else {}
    with _request(url, RETRIEVE_PATH, body, settings.auth) as response, _reading(url):
        out = _item(url, response.read())
    if "error" in out:
        _raise(out["error"])
    return out
