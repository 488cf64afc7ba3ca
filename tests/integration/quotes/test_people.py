"""`assistant people` on a real index: the quote index follows what the store holds."""

import json
import shutil

from assistant.cli.main import main
from assistant.ingest.load import source_text
from assistant.store.build import build_index


def _people(capsys, *args: str) -> tuple[int, str]:
    rc = main(["people", *args])
    return rc, capsys.readouterr().out


def test_people_lists_speakers_and_one_persons_quotes_with_exact_offsets(settings, capsys):
    rc, out = _people(capsys, "--index-dir", str(settings.index_dir), "--json")
    assert rc == 0
    everyone = {p["name"]: p for p in json.loads(out)}
    assert everyone["Shin Kak-soo"]["quotes"] >= 3 and everyone["Shin Kak-soo"]["articles"] == 1
    assert "Kim Yo Jong" in everyone and "Kim Jong Un" not in everyone

    rc, out = _people(capsys, "Shin", "--index-dir", str(settings.index_dir), "--json")
    person = json.loads(out)
    assert rc == 0 and person["name"] == "Shin Kak-soo"
    for q in person["quotes"]:
        assert source_text(q["path"])[q["start"] : q["end"]] == q["text"]
    assert any("QUAD+" in q["text"] for q in person["quotes"])

    rc, out = _people(capsys, "Defense Secretary Austin", "--index-dir", str(settings.index_dir))
    assert rc == 0 and out.startswith("Lloyd Austin (also Austin): 4 quotes in 2 articles")


def test_an_unknown_name_is_a_one_line_error(settings, capsys):
    assert main(["people", "Nobody Anywhere", "--index-dir", str(settings.index_dir)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Nobody Anywhere" in err[0]


def test_reindexing_keeps_the_quote_index_in_step(tmp_path, corpus_dir, settings, capsys):
    folder = tmp_path / "articles"
    folder.mkdir()
    for f in sorted(corpus_dir.iterdir())[-2:]:  # 003 (Song Zhongping) and 004 (Kim Yo Jong)
        shutil.copy(f, folder / f.name)
    s = settings.with_(index_dir=tmp_path / "index")
    build_index([folder], s, say=lambda m: None)
    names = {p["name"] for p in json.loads(_people(capsys, "--index-dir", str(s.index_dir), "--json")[1])}
    assert {"Song Zhongping", "Kim Yo Jong"} <= names  # positive control: both are there

    next(f for f in folder.iterdir() if f.name.startswith("004")).unlink()
    build_index([folder], s, say=lambda m: None)
    names = {p["name"] for p in json.loads(_people(capsys, "--index-dir", str(s.index_dir), "--json")[1])}
    assert "Song Zhongping" in names and "Kim Yo Jong" not in names


def test_the_saved_quote_index_equals_reading_every_article(settings):
    """Saved at indexing time, of the store's version, and the same people as reading the files."""
    from assistant.quotes.people import group, indexed_people
    from assistant.store.chroma import index_version, indexed_paths, open_collection
    from assistant.store.quote_file import load, quotes_path, saved_records

    version = index_version(open_collection(settings))
    assert quotes_path(settings).is_file() and load(settings)[0] == version
    saved = group(saved_records(settings, version))
    read = indexed_people(str(p) for p in indexed_paths(settings))
    assert [p.to_json() for p in saved] == [p.to_json() for p in read] and len(saved) > 10
    assert saved_records(settings, version + "-other") is None  # another version is not trusted


def test_a_rerun_reads_only_the_changed_articles_quotes(tmp_path, corpus_dir, settings, monkeypatch):
    import assistant.store.quote_file as quote_file

    folder = tmp_path / "articles"
    folder.mkdir()
    for f in sorted(corpus_dir.iterdir())[-2:]:
        shutil.copy(f, folder / f.name)
    s = settings.with_(index_dir=tmp_path / "index")
    build_index([folder], s, say=lambda m: None)
    read = []
    monkeypatch.setattr(quote_file, "_entry_of_file", lambda path, n: read.append(path) or {})
    extracted = []
    real_entry = quote_file.entry
    monkeypatch.setattr(quote_file, "entry", lambda a: extracted.append(a.path.name) or real_entry(a))
    changed = sorted(folder.iterdir())[0]
    changed.write_text(changed.read_text(encoding="utf-8") + '\n"We will build it," said Ada Quill.\n')
    build_index([folder], s, say=lambda m: None)
    assert extracted == [changed.name] and read == []  # the other article's quotes were kept as saved
    _, articles = quote_file.load(s)
    assert sorted(articles) == sorted(str(f.resolve()) for f in folder.iterdir())
    assert ["Ada Quill"] == [q[0] for q in articles[str(changed.resolve())]["quotes"] if q[0] == "Ada Quill"]
