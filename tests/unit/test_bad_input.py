"""Bad input is a clear one-line error, never a traceback."""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from assistant.config import Settings
from assistant.errors import BackendError, UserError


@pytest.mark.parametrize(
    "policy, message",
    [({"rrf_k": -1}, "rrf_k must be at least 0"), ({"candidates": 40.7}, "whole number"),
     ({"support_min": float("nan")}, "finite")],
)  # fmt: skip
def test_a_policy_file_with_an_impossible_value_is_refused(tmp_path, policy, message):
    from assistant.policy import Policy

    path = tmp_path / "policy.json"
    path.write_text(json.dumps(policy).replace("NaN", "NaN"))
    with pytest.raises(UserError, match=message):
        Policy.from_file(path)


def test_a_whole_float_is_still_a_whole_number(tmp_path):
    from assistant.policy import Policy

    path = tmp_path / "policy.json"
    path.write_text('{"candidates": 30.0}')
    assert Policy.from_file(path).candidates == 30


def test_a_dataset_line_that_is_not_an_object_is_named(tmp_path):
    from assistant.evaluate.metrics import load_dataset

    path = tmp_path / "set.jsonl"
    path.write_text('{"question": "Who?"}\n["Who?"]\n')
    with pytest.raises(UserError, match=r"set.jsonl:2: each line must be a JSON object"):
        load_dataset(path)


def test_a_quote_label_without_its_file_is_named(tmp_path):
    from assistant.quotes.evaluation import load_labels

    path = tmp_path / "labels.jsonl"
    path.write_text('{"start": 0, "end": 5, "text": "hello", "speakers": ["A B"]}\n')
    with pytest.raises(UserError, match="label 1 needs file"):
        load_labels(path)


class _Handler(http.server.BaseHTTPRequestHandler):
    after_first = b"not json\n"
    pause = 0.0

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.end_headers()
        self.wfile.write(json.dumps({"token": "The "}).encode() + b"\n")
        self.wfile.flush()
        if self.pause:
            threading.Event().wait(self.pause)
        self.wfile.write(self.after_first)

    def log_message(self, *args):
        pass


def _serve(handler: type) -> tuple[str, http.server.HTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


@pytest.mark.parametrize("after_first, pause, message", [(b"not json\n", 0.0, "malformed line"),
                                                         (b"", 3.0, "stopped answering")])  # fmt: skip
def test_a_server_that_breaks_off_after_the_first_token_is_a_clear_error(monkeypatch, after_first, pause, message):
    from assistant.ui import client

    monkeypatch.setattr(client, "TIMEOUT", 0.5)
    handler = type("H", (_Handler,), {"after_first": after_first, "pause": pause})
    url, server = _serve(handler)
    try:
        stream = client.ask(url, Settings(), "Who spoke?", [], None)
        assert next(stream) == "The "
        with pytest.raises(BackendError, match=message):
            list(stream)
    finally:
        server.shutdown()
