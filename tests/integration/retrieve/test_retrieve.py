"""Hybrid retrieval, the retrieve/batch CLI and its JSON shape, on the real index of the seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import SEEDS, cli


def test_speaker_passages_rank_first(retriever):
    passages = retriever.search("What did Shin Kak-soo say about Quad+?", 5)
    assert passages[0].speaker_match
    assert "Shin Kak-soo" in passages[0].text
    assert "QUAD+" in passages[0].text
    # Passages where he speaks come before those that merely mention Quad+.
    flags = [p.speaker_match for p in passages]
    assert flags == sorted(flags, reverse=True)


def test_lexical_names_are_found(retriever):
    passages = retriever.search("Da Zhigang", 3)
    assert any("Da Zhigang" in p.text for p in passages)


def test_passage_text_is_the_exact_source_span(retriever):
    for p in retriever.search("What did Austin call the alliance?", 5):
        assert Path(p.path).read_text(encoding="utf-8")[p.start : p.end] == p.text


def _env(settings):
    return {"ASSISTANT_INDEX_DIR": str(settings.index_dir)}


def test_retrieve_json_shape(settings):
    r = cli("retrieve", "What did Shin Kak-soo say about Quad+?", "--json", "--k", "3", env=_env(settings))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["question"] == "What did Shin Kak-soo say about Quad+?"
    assert len(out["passages"]) == 3
    for p in out["passages"]:
        assert {"chunk_id", "source", "title", "text", "start", "end", "score"} <= set(p)
        assert isinstance(p["start"], int) and isinstance(p["score"], float)
        assert Path(p["source"]).read_text(encoding="utf-8")[p["start"] : p["end"]] == p["text"]


def test_retrieve_human_output(settings):
    r = cli("retrieve", "Who is Shin Kak-soo?", env=_env(settings))
    assert r.returncode == 0
    assert "[1]" in r.stdout and "chars" in r.stdout


@pytest.mark.parametrize("question, message", [("", "empty"), ("   \n ", "empty"), ("x" * 2001, "limit")])
def test_bad_questions_exit_2_with_one_line(settings, question, message):
    r = cli("retrieve", question, env=_env(settings))
    assert r.returncode == 2
    assert message in r.stderr
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_missing_index_is_a_clear_error(tmp_path):
    r = cli("retrieve", "anything", "--index-dir", str(tmp_path / "none"))
    assert r.returncode == 2
    assert "assistant index" in r.stderr and "Traceback" not in r.stderr


def test_batch_retrieve_only(settings, tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text(
        '{"id": 1, "question": "What did Shin Kak-soo say about Quad+?"}\n'
        "not json\n"
        '{"id": "b", "question": "Where was the 2+2 meeting held?"}\n'
    )
    r = cli("batch", str(f), "--retrieve-only", "--k", "2", env=_env(settings))
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x.get("id") for x in lines] == [1, None, "b"]
    assert len(lines[0]["retrieved"]) == 2 and "error" in lines[1]
    assert "line 2" in r.stderr
    assert r.returncode == 1  # one bad line


def test_eval_retrieve_only_on_the_seeds(settings):
    r = cli("eval", "--retrieve-only", "--json", env=_env(settings))
    assert r.returncode == 0, r.stderr
    metrics = json.loads(r.stdout)["retrieval"]
    assert metrics["questions"] >= 30
    assert metrics["hit@5"] >= 0.9
    assert metrics["mean_context_chars"] <= 2500


def test_langchain_retriever_interface(retriever):
    from assistant.retrieve.langchain import NewsRetriever

    docs = NewsRetriever(engine=retriever, k=3).invoke("What did Shin Kak-soo say about Quad+?")
    assert len(docs) == 3
    for d in docs:
        text = Path(d.metadata["path"]).read_text(encoding="utf-8")
        assert text[d.metadata["start"] : d.metadata["end"]] == d.page_content


def test_a_refresh_during_a_search_never_mixes_two_indexes(tmp_path):
    """The index grows while a search is under way; the search reads one consistent snapshot."""
    import shutil

    from assistant.config import Settings
    from assistant.retrieve.retriever import Retriever
    from assistant.store.build import build_index
    from assistant.store.embed import query_embedder

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    files = sorted(SEEDS.iterdir())
    shutil.copy(files[0], corpus)  # the small articles: what is tested is the swap, not the size
    s = Settings.from_env().with_(index_dir=tmp_path / "index", quiet=True)
    build_index([corpus], s, say=lambda m: None)

    real = query_embedder(s)
    grown: list[int] = []

    class GrowsTheIndexMidSearch:
        """Embeds like the real model, but first adds an article and makes the retriever reload."""

        def embed_query(self, text: str) -> list[float]:
            if not grown:
                for f in files[3:5]:
                    shutil.copy(f, corpus)
                grown.append(build_index([corpus], s, say=lambda m: None).chunks_added)
                retriever.refresh(force=True)
            return real.embed_query(text)

        def __getattr__(self, name):
            return getattr(real, name)

    retriever = Retriever(s, embedder=GrowsTheIndexMidSearch())
    before = len(retriever.metas)
    passages = retriever.search("What did the minister say about the alliance?", 5)
    assert grown and grown[0] > 0 and len(retriever.metas) == before + grown[0]  # the swap did happen
    assert len(passages) == 5
    assert all(p.source.endswith(files[0].name) for p in passages)  # only the snapshot it started with
    again = retriever.search("What did the minister say about the alliance?", 20)
    assert {Path(p.source).name for p in again} > {files[0].name}  # the next search sees the new articles
