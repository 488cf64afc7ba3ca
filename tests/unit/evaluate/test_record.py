"""The recorder's bookkeeping: pools in stratified order, resumable output."""

from __future__ import annotations

import gzip
import json

from assistant.evaluate.record import done_keys, load_jobs, restore


def _pool(tmp_path, articles: dict[str, int]):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = []
    for name, n in articles.items():
        text = "Title\n\n" + " ".join(f"Fact number {i} is stated here." for i in range(n))
        (corpus / name).write_text(text, encoding="utf-8")
        for i in range(n):
            start = text.index(f"Fact number {i} ")
            answer = {"start": start, "end": start + 4, "text": "Fact"}
            lines.append({"id": f"{name}-{i}", "article": name, "question": f"Q{i}?", "answerable": i % 2 == 0,
                          "paragraph": {"start": 7, "end": len(text)}, "answers": [answer] if i % 2 == 0 else [],
                          "plausible_answers": [] if i % 2 == 0 else [answer]})  # fmt: skip
    pool = tmp_path / "pool.jsonl"
    pool.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return f"pool={pool}={corpus}"


def test_a_pool_is_interleaved_by_article_so_every_prefix_is_stratified(tmp_path):
    jobs = load_jobs(_pool(tmp_path, {"a.txt": 6, "b.txt": 6, "c.txt": 3}))
    assert len(jobs) == 15
    first = [j.extra["article"] for j in jobs[:6]]
    assert sorted(first) == ["a.txt", "a.txt", "b.txt", "b.txt", "c.txt", "c.txt"]
    assert [j.example.kind for j in jobs].count("unanswerable") == 7


def test_a_pool_answer_gets_a_support_string_from_its_paragraph(tmp_path):
    jobs = load_jobs(_pool(tmp_path, {"a.txt": 2}))
    answerable = next(j for j in jobs if j.example.kind == "factual")
    assert answerable.example.facts == [["Fact"]] and "Fact number 0" in answerable.example.support[0]
    assert not answerable.example.support[0].startswith("Title")  # kept inside the paragraph


def test_the_order_is_the_same_on_every_run(tmp_path):
    spec = _pool(tmp_path, {"a.txt": 5, "b.txt": 5})
    assert [j.key for j in load_jobs(spec)] == [j.key for j in load_jobs(spec)]


def test_recording_resumes_from_the_committed_snapshot_and_skips_a_torn_line(tmp_path):
    out = tmp_path / "records.jsonl"
    with gzip.open(tmp_path / "records.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"key": "pool|a-1|1"}) + "\n" + '{"key": "pool|a-2')
    restore(out)
    assert done_keys(out) == {"pool|a-1|1"}
    out.write_text(json.dumps({"key": "other|x|1"}) + "\n", encoding="utf-8")
    restore(out)  # an existing output is never replaced by the snapshot
    assert done_keys(out) == {"other|x|1"}
