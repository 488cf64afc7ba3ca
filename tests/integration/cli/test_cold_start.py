"""Fast cold starts: ONNX query embeddings, the saved prompt prefix, and `--server`.

Each guard has a positive control: the same check, in a setting where the guarded thing
does happen, must see it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from tests.helpers import AUTH, SEEDS, cli, free_port, run_cli

QUESTION = "What did Shin Kak-soo say about Quad+?"
TEXTS = [
    QUESTION,
    "The ministers met in Seoul on Thursday and agreed to hold talks again next year.",
    "„Wir sind nah an einer Einigung“, sagte Anna Müller aus Warszawa.",
    "東京で会議が開かれた。",
    "x",
]
# Modules a cold `retrieve` / `ask` must not import (issue: fast from a cold start).
HEAVY = ("torch", "sentence_transformers", "gradio", "langchain_community")


def test_onnx_embeddings_match_the_torch_ones(settings):
    from assistant.store.embed import TorchEmbedder, get_embedder
    from assistant.store.onnx import OnnxEmbedder

    onnx = get_embedder("onnx", settings.cache_dir, 0, True)  # the export the product uses
    assert isinstance(onnx, OnnxEmbedder)
    a = np.array(onnx.embed_documents(TEXTS))
    b = np.array(TorchEmbedder().embed_documents(TEXTS))
    cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    assert cos.min() >= 0.999, cos
    # Positive control: the check tells different texts apart.
    assert float(a[0] @ b[1]) < 0.9


def test_a_damaged_onnx_export_falls_back_to_torch_and_is_made_again(tmp_path):
    from assistant.store.embed import TorchEmbedder, get_embedder, model_path
    from assistant.store.onnx import OnnxEmbedder, onnx_path

    target = onnx_path(tmp_path, model_path())
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not an onnx model")
    assert isinstance(get_embedder("auto", tmp_path, 0, True), TorchEmbedder)
    assert not target.exists()  # removed, so the next process exports it again
    assert isinstance(get_embedder("auto", tmp_path, 1, True), OnnxEmbedder)
    assert target.stat().st_size > 1_000_000
    with pytest.raises(Exception, match="ONNX"):
        target.write_bytes(b"broken again")
        get_embedder("onnx", tmp_path, 2, True)  # asked for explicitly: an error, not a silent switch


def _modules_after(argv: list[str], env: dict[str, str] | None = None) -> dict[str, object]:
    """Run the CLI in a child process; return its exit code and which heavy modules it imported."""
    code = (
        "import json, sys\n"
        "from assistant.cli.main import main\n"
        f"rc = main({argv!r})\n"
        f"print(json.dumps({{'rc': rc, 'heavy': [m for m in {HEAVY!r} if m in sys.modules],"
        " 'llama': 'llama_cpp' in sys.modules}), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=600
    )
    return json.loads(proc.stderr.strip().splitlines()[-1])


def test_retrieve_imports_neither_torch_nor_gradio(settings):
    argv = ["retrieve", QUESTION, "--index-dir", str(settings.index_dir), "--json"]
    assert _modules_after(argv) == {"rc": 0, "heavy": [], "llama": False}
    # The probe's positive control is the first check of the indexing test below: where torch
    # is imported (indexing before the ONNX export exists), the same probe sees it.


def test_batch_imports_neither_torch_nor_gradio(settings, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "a", "question": QUESTION}) + "\n", encoding="utf-8")
    argv = ["batch", str(questions), "--retrieve-only", "--index-dir", str(settings.index_dir)]
    assert _modules_after(argv) == {"rc": 0, "heavy": [], "llama": False}


def test_index_needs_torch_only_until_the_onnx_export_is_cached(tmp_path):
    from assistant.config import Settings
    from assistant.store.chroma import open_collection

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    first, second = sorted(SEEDS.glob("*.txt"))[:2]
    shutil.copy(first, corpus / first.name)
    env = {"ASSISTANT_CACHE_DIR": str(tmp_path / "cache")}
    argv = ["index", str(corpus), "--index-dir", str(tmp_path / "index"), "-q"]
    # With no export yet, indexing embeds on torch and makes the export: the check sees torch
    # (the positive control of ``_modules_after`` for every test of this module).
    assert "torch" in _modules_after(argv, env)["heavy"]
    shutil.copy(second, corpus / second.name)
    assert _modules_after(argv, env) == {"rc": 0, "heavy": [], "llama": False}
    # The chunks written by onnxruntime have the vectors torch gives them.
    from assistant.ingest.chunk import embedding_text
    from assistant.store.embed import TorchEmbedder

    got = open_collection(Settings().with_(index_dir=tmp_path / "index")).get(
        include=["documents", "metadatas", "embeddings"]
    )
    rows = [i for i, m in enumerate(got["metadatas"]) if m["path"].endswith(second.name)]
    texts = [
        embedding_text(got["metadatas"][i]["title"], got["documents"][i], got["metadatas"][i]["quote_of"]) for i in rows
    ]
    stored = np.asarray([got["embeddings"][i] for i in rows])
    expected = np.asarray(TorchEmbedder().embed_documents(texts))
    assert rows and float((stored * expected).sum(1).min()) >= 0.999


@pytest.mark.llm
def test_ask_imports_neither_torch_nor_gradio(settings):
    from assistant.llm.model_file import smollm_path

    argv = ["ask", QUESTION, "--index-dir", str(settings.index_dir), "--model", str(smollm_path()), "--json"]
    assert _modules_after(argv) == {"rc": 0, "heavy": [], "llama": True}


def test_an_error_while_the_model_loads_is_still_printed(tmp_path):
    """llama.cpp silences stdout/stderr while it loads in the background; errors must still be seen."""
    r = run_cli("ask", QUESTION, "--index-dir", str(tmp_path / "none"))
    assert r.returncode == 2
    assert "no index" in r.stderr


# -- the saved prompt prefix ------------------------------------------------


@pytest.mark.llm
def test_the_saved_prompt_prefix_is_restored_and_changes_no_answer(settings, tmp_path):
    from langchain_core.messages import HumanMessage, SystemMessage

    from assistant.llm.llamacpp import ChatLlamaCppLocal
    from assistant.llm.model_file import smollm_path

    def model() -> ChatLlamaCppLocal:
        return ChatLlamaCppLocal(model_path=str(smollm_path()), n_ctx=2048, max_tokens=24)

    system = SystemMessage("You answer from the passages only. " * 8)
    samples = [[system, HumanMessage("Passages: A. Question: B?")], [system, HumanMessage("Passages: C. Question: D?")]]
    ask = [system, HumanMessage("Passages: The talks resumed on Monday. Question: When did the talks resume?")]

    cold = model()
    plain = cold.invoke(ask).content  # no warm-up at all
    first, second = model(), model()
    first.warm_up(samples, tmp_path)
    assert first.prefix_status == "evaluated"
    second.warm_up(samples, tmp_path)
    assert second.prefix_status == "restored"  # from the file the first one saved
    assert first.invoke(ask).content == second.invoke(ask).content == plain
    # A damaged file is not trusted: it is evaluated again (positive control of the check).
    for f in (tmp_path / "prefix").iterdir():
        f.write_bytes(b"damaged")
    third = model()
    third.warm_up(samples, tmp_path)
    assert third.prefix_status == "evaluated"
    assert third.invoke(ask).content == plain


# -- a running server ---------------------------------------------------------


@pytest.fixture(scope="module")
def server(auth_server):
    """`assistant serve --auth` over the session's index (shared with the other server tests)."""
    return auth_server[0]


def _cli_json(*args: str, env: dict[str, str] | None = None) -> tuple[dict, str]:
    r = cli(*args, "--json", env={"ASSISTANT_AUTH": AUTH, **(env or {})})
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout), r.stderr


def test_retrieve_through_the_server_equals_in_process(server, settings):
    where = ["--index-dir", str(settings.index_dir)]
    local, _ = _cli_json("retrieve", QUESTION, *where)
    remote, note = _cli_json("retrieve", QUESTION, *where, "--server", server)
    assert remote == local and local["passages"]
    assert "answering in this process" not in note
    # The client really did not load the index or the embedder itself.
    code = (
        "import sys; from assistant.cli.main import main; "
        f"main(['retrieve', {QUESTION!r}, '--index-dir', {str(settings.index_dir)!r}, '--server', {server!r}]); "
        "print('chromadb' in sys.modules, 'onnxruntime' in sys.modules, file=sys.stderr)"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "ASSISTANT_AUTH": AUTH}
    )
    assert r.stderr.strip().splitlines()[-1] == "False False"


@pytest.mark.llm
def test_ask_through_the_server_gives_the_same_json(server, settings):
    where = ["--index-dir", str(settings.index_dir)]
    remote, note = _cli_json("ask", QUESTION, *where, "--server", server)
    local, _ = _cli_json("ask", QUESTION, *where)
    assert "answering in this process" not in note
    for result in (remote, local):
        result.pop("timings_ms")
    assert remote.keys() == local.keys()
    assert remote["status"] == local["status"] == "answered"
    assert remote["citations"] == local["citations"] and local["citations"]
    assert remote == local


def test_without_a_server_it_answers_in_process_and_says_so(settings):
    where = ["--index-dir", str(settings.index_dir)]
    local, _ = _cli_json("retrieve", QUESTION, *where)
    fallback, note = _cli_json("retrieve", QUESTION, *where, "--server", f"http://127.0.0.1:{free_port()}")
    assert fallback == local
    assert "no assistant server" in note and "answering in this process" in note


def test_a_server_with_other_settings_is_not_used(server, settings, tmp_path):
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"rrf_k": 30}), encoding="utf-8")
    where = ["--index-dir", str(settings.index_dir), "--policy", str(policy)]
    answer, note = _cli_json("retrieve", QUESTION, *where, "--server", server)
    assert "other settings" in note and "policy" in note
    assert answer == _cli_json("retrieve", QUESTION, *where)[0]


def test_the_server_asks_for_its_credentials(server, settings):
    r = cli(
        "retrieve", QUESTION, "--index-dir", str(settings.index_dir), "--server", server, env={"ASSISTANT_AUTH": ""}
    )
    assert r.returncode == 2 and "needs USER:PASS" in r.stderr
    with_url_credentials = server.replace("http://", f"http://{AUTH}@")
    r = cli("retrieve", QUESTION, "--index-dir", str(settings.index_dir), "--server", with_url_credentials, "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["passages"]


def test_the_api_refuses_malformed_requests(server):
    import urllib.error
    import urllib.request

    for body in (b"not json", b"[]", b'{"question": 5}'):
        req = urllib.request.Request(
            server + "/api/retrieve",
            data=body,
            headers={"Content-Type": "application/json", "Authorization": "Basic cmVhZGVyOnMzY3JldA=="},
        )
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req, timeout=30)
        assert err.value.code == 400


def test_the_api_answers_from_the_first_request(settings, tmp_path):
    """The ``/api`` routes are in place before the port accepts anything: the first HTTP
    answer of a fresh server to ``/api/retrieve`` is its own 400, never a 404."""
    import time
    import urllib.error
    import urllib.request

    from tests.helpers import VENV_BIN

    port = free_port()
    log = open(tmp_path / "serve.log", "w")
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(settings.index_dir), "ASSISTANT_QUIET": "1"}
    proc = subprocess.Popen(
        [str(VENV_BIN / "assistant"), "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/retrieve", data=b"[]", headers={"Content-Type": "application/json"}
    )
    try:
        deadline = time.time() + 180
        while True:
            assert proc.poll() is None and time.time() < deadline, (tmp_path / "serve.log").read_text()
            try:
                urllib.request.urlopen(req, timeout=30)
            except urllib.error.HTTPError as err:
                assert err.code == 400  # 404: the server listened before its routes were added
                break
            except OSError:
                time.sleep(0.01)  # not listening yet
    finally:
        proc.terminate()
        proc.wait(timeout=30)
