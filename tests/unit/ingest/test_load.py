import pytest

from assistant.ingest.load import LoadError, iter_files, parse_date, read_article, source_text
from tests.helpers import DATA, ROOT

SEEDS = ROOT / "seeds"


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
    (tmp_path / "a.docx").write_bytes(b"PK")
    found = dict(iter_files([tmp_path / "a.docx", tmp_path / "missing.txt"]))
    assert "unsupported" in found[tmp_path / "a.docx"]
    assert "no such file" in found[tmp_path / "missing.txt"]


def test_html_offsets_index_the_pages_readable_text(tmp_path):
    f = tmp_path / "a.html"
    f.write_text(
        "<html><head><title>Alliance news | Daily Planet</title><script>alert('x')</script></head>"
        "<body><h1>Alliance news</h1><p>The minister said the talks went well.</p>"
        "<script>evil()</script><p>Second paragraph &amp; more.</p></body></html>",
        encoding="utf-8",
    )
    a = read_article(f)
    assert a.text == source_text(f)  # what offsets index, for the article view and every check
    assert "The minister said the talks went well." in a.text and "Second paragraph & more." in a.text
    assert "evil" not in a.text and "alert" not in a.text
    assert a.title == "Alliance news" and a.publisher == "Daily Planet"


NEWS_PAGE = """<!doctype html><html><head><title>Deal near | The Courier</title>
<meta property="article:published_time" content="2023-05-04T10:00:00Z"></head>
<body><header><nav><a href="/">Home</a> <a href="/world">World</a></nav><form><input name="q"><button>Search</button></form></header>
<article><header><h1>Deal near in river talks</h1></header>
<p>The minister <b>said</b> the talks went well &amp; would continue on Monday.</p>
<p>&ldquo;We are close to a deal,&rdquo; said Anna M&uuml;ller, the chief negotiator.</p>
<aside>Read more: an unrelated story</aside>
</article><footer>&copy; The Courier. Subscribe now.</footer></body></html>"""


def test_inline_tags_and_entities_stay_inside_their_sentence(tmp_path):
    from assistant.ingest.chunk import chunk_article

    f = tmp_path / "page.html"
    f.write_text(NEWS_PAGE, encoding="utf-8")
    a = read_article(f)
    chunks = chunk_article(a)
    texts = [c.text for c in chunks]
    assert "The minister said the talks went well & would continue on Monday." in " ".join(texts)
    assert any("said Anna Müller, the chief negotiator." in t for t in texts)
    assert any("Anna Müller" in c.speakers for c in chunks)  # the speaker is no longer cut at the entity
    for c in chunks:
        assert source_text(f)[c.start : c.end] == c.text
    for furniture in ("Home", "Search", "Read more", "Subscribe"):
        assert furniture not in a.text
    assert a.title == "Deal near in river talks" and a.publisher == "The Courier" and a.date == "2023-05-04"


@pytest.mark.parametrize(
    ("name", "sentences", "furniture", "date"),
    [
        (
            "blog.html",
            [
                "The deal raises night-shift pay by 12 percent and adds two paid rest days a month.",
                "“Nobody wanted this to drag on,” Wiśniewski told reporters outside the terminal.",
            ],
            ["cookies", "Ports", "Share on Facebook", "Post Comment", "Crane operators", "Copyright"],
            "2023-03-02",
        ),
        (
            "divsoup.html",
            [
                "The city council approved the eastern tram line by 31 votes to 12 on Tuesday.",
                "Construction is due to start next spring and to cost about 410 million euros, the mayor's office said.",
            ],
            # A table layout of the 1990s: trafilatura keeps its menu and advert cells (the old
            # built-in extractor left them out, but kept far more furniture on the real pages of
            # bench/bench_html_extract.py). The sentences above still read whole.
            [],
            "2022-06-07",
        ),
    ],
)
def test_saved_pages_of_different_shapes(name, sentences, furniture, date):
    from assistant.ingest.chunk import chunk_article, split_sentences

    path = DATA / "html" / name
    a = read_article(path)
    found = [a.text[s:e] for s, e in split_sentences(a.text)]
    for sentence in sentences:
        assert sentence in found
    for word in furniture:
        assert word not in a.text
    assert a.date == date
    assert all(source_text(path)[c.start : c.end] == c.text for c in chunk_article(a))


@pytest.mark.parametrize(
    "text, iso",
    [
        ("26-FEB-1987", "1987-02-26"),
        ("3-sep-2021", "2021-09-03"),
        ("2022-05-19", "2022-05-19"),
        ("JUNE 7, 2022", "2022-06-07"),
    ],
)
def test_newswire_and_iso_dates_parse(text, iso):
    assert parse_date(text) == iso


def test_a_dateline_names_the_publisher_and_the_date(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(
        "Cocoa Review\n\nWire Service, 26-FEB-1987\n\nShowers continued throughout the week.\n\n"
        "The dry period means the harvest will be late this year.\n",
        encoding="utf-8",
    )
    a = read_article(f)
    assert (a.title, a.publisher, a.date) == ("Cocoa Review", "Wire Service", "1987-02-26")


def test_a_body_sentence_is_not_taken_for_a_title(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("The dry period means the harvest will be late this year.\n\nMore text follows here.\n")
    assert read_article(f).title == ""


def test_a_folder_walk_leaves_out_hidden_and_unreadable_folders_and_resolves_links(tmp_path, monkeypatch):
    import os

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text("x")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "two.txt").write_text("x")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "three.txt").write_text("x")
    (tmp_path / "link.txt").symlink_to(tmp_path / "a" / "one.txt")
    root = tmp_path.resolve()
    listed = lambda: sorted(f for f, problem in iter_files([tmp_path]) if problem is None)  # noqa: E731
    assert listed() == sorted([root / "a" / "one.txt"] * 2 + [root / "locked" / "three.txt"])
    real = os.scandir

    def scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert listed() == [root / "a" / "one.txt"] * 2  # the unreadable folder is left out, the rest listed
