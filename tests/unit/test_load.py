from pathlib import Path

import pytest

from assistant.load import LoadError, iter_files, parse_date, read_article

SEEDS = Path(__file__).parents[2] / "seeds"


def test_metadata_from_the_usual_shapes():
    a = read_article(SEEDS / "000_900ea4f60c9d1c02.txt")
    assert a.title.startswith("Upgraded US-South Korea alliance")
    assert a.date == "2022-05-19"
    b = read_article(SEEDS / "003_be35bce159577316.txt")
    assert b.publisher == "Global Times"
    assert b.title.startswith("NATO pulling Seoul closer")
    c = read_article(SEEDS / "004_faafd693f6acde0f.txt")
    assert c.title == "The US Deepens South Korea Ties To Counter China, North Korea"
    assert c.publisher == "The Lafete Magazine"
    d = read_article(SEEDS / "001_5690afa6f36f0277.txt")
    assert d.publisher == "" and d.date == ""  # not guessed


def test_parse_date_formats():
    assert parse_date("May 19, 2022 11:01 PM") == "2022-05-19"
    assert parse_date("19 May 2022") == "2022-05-19"
    assert parse_date("no date here") == ""


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"caf\xe9 au lait is not utf-8", "UTF-8"),
    ],
)
def test_bad_files_raise_a_clear_reason(tmp_path, content, reason):
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    with pytest.raises(LoadError, match=reason):
        read_article(f)


def test_oversized_file_is_refused(tmp_path):
    f = tmp_path / "big.txt"
    f.write_text("word " * 5000)
    with pytest.raises(LoadError, match="limit"):
        read_article(f, max_bytes=1000)


def test_unsupported_and_missing_paths_are_reported(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    found = dict(iter_files([tmp_path / "a.pdf", tmp_path / "missing.txt"]))
    assert "unsupported" in found[tmp_path / "a.pdf"]
    assert "no such file" in found[tmp_path / "missing.txt"]


def test_html_regions_point_into_the_raw_file(tmp_path):
    f = tmp_path / "a.html"
    f.write_text(
        "<html><head><title>Alliance news | Daily Planet</title><script>alert('x')</script></head>"
        "<body><h1>Alliance news</h1><p>The minister said the talks went well.</p>"
        "<script>evil()</script><p>Second paragraph &amp; more.</p></body></html>",
        encoding="utf-8",
    )
    a = read_article(f)
    raw = f.read_text(encoding="utf-8")
    texts = [raw[s:e] for s, e in a.regions]
    assert "The minister said the talks went well." in texts
    assert not any("evil" in t or "alert" in t for t in texts)
    assert a.title == "Alliance news" and a.publisher == "Daily Planet"
