"""The chat page: a real `assistant serve`, real models, Debian Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.ingest.load import source_text
from tests.helpers import DATA, ROOT, SEEDS, VENV_BIN, serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
QUESTION = "What did Shin Kak-soo say about Quad+?"

# Every test here talks to a served UI that answers with the real model.
pytestmark = pytest.mark.llm


def _seeds_index(root: Path) -> dict[str, str]:
    """An index of a copy of the seeds under ``root``; the environment that serves it."""
    corpus = root / "corpus"
    shutil.copytree(SEEDS, corpus)
    env = {"ASSISTANT_INDEX_DIR": str(root / "index"), "ASSISTANT_QUIET": "1"}
    subprocess.run(
        [str(VENV_BIN / "assistant"), "index", str(corpus)], env={**os.environ, **env}, check=True, capture_output=True
    )
    return env


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`assistant serve` on a free loopback port with its own index of the seeds."""
    root = tmp_path_factory.mktemp("ui")
    with serving(env=_seeds_index(root), log=root / "serve.log") as url:
        yield url


IN_VIEW_JS = """(sel) => {
  const el = document.querySelector(sel);
  if (!el) return false;
  const r = el.getBoundingClientRect();
  for (let p = el.parentElement; p; p = p.parentElement) {
    const s = getComputedStyle(p);
    if (/(auto|scroll)/.test(s.overflowY) && p.scrollHeight > p.clientHeight) {
      const c = p.getBoundingClientRect();
      if (r.top < c.top || r.bottom > c.bottom) return false;
    }
  }
  return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
}"""
"""True when the element is inside the window and inside every scrolled box around it."""

TO_TOP_JS = """(sel) => {
  window.scrollTo(0, 0);
  for (let p = document.querySelector(sel).parentElement; p; p = p.parentElement) p.scrollTop = 0;
}"""


def _scrolled_into_view(page, selector: str) -> None:
    """Wait until ``selector`` is scrolled into view (fails after 10 s)."""
    page.wait_for_function(IN_VIEW_JS, arg=selector, timeout=10_000)


def _files_ready(page, *names: str) -> None:
    """Wait until every file is on the server: the upload box links each to the server's copy."""
    for name in names:
        page.locator(f'#upload a[data-testid="download-link"][download="{name}"]').wait_for(timeout=30_000)


def _wait_for_model(c):
    """Block until /ask works (while the model loads, it answers "still loading")."""
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            c.predict(QUESTION, "[]", 1, api_name="/ask")
            return c
        except Exception as exc:  # "still loading"
            if "loading" not in str(exc):
                raise
            time.sleep(2)
    pytest.fail("model did not load")


@pytest.fixture(scope="module")
def client(server):
    from gradio_client import Client

    return _wait_for_model(Client(server, verbose=False))


@contextlib.contextmanager
def _open_page(url: str) -> Iterator[Any]:
    """A real Chromium page on ``url``, once the chat box is there."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed (./run.sh test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            tempfile.mkdtemp(),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
        )
        pg = ctx.new_page()
        pg.goto(url, wait_until="load")
        pg.wait_for_selector("#question textarea")
        yield pg
        ctx.close()


@pytest.fixture()
def page(server, client):
    with _open_page(server) as pg:
        yield pg


def _ask(page, question: str) -> None:
    page.fill("#question textarea", question)
    page.click("#ask")


def test_cited_answer_and_highlighted_source_in_the_browser(page):
    _ask(page, QUESTION)
    card = page.wait_for_selector("#sources .src:not(.uncited)", timeout=180_000)
    chat = page.inner_text("#chat")
    assert "[" in chat and "]" in chat, chat
    docs = ROOT / "docs"
    if os.environ.get("UPDATE_SCREENSHOTS"):
        page.screenshot(path=str(docs / "screenshot-answer.png"), full_page=True)
    marker = card.inner_text().split("]")[0] + "]"
    assert marker in chat  # the marker in the answer is the one on the source card
    # A checked answer is not marked uncertain (the control of the uncertain test below).
    assert page.query_selector("#sources #answer-state").inner_text().startswith("Answered")
    assert not page.query_selector("#sources .uncertain") and "Uncertain" not in chat
    source, start, end = (
        card.get_attribute("data-source"),
        int(card.get_attribute("data-start")),
        int(card.get_attribute("data-end")),
    )
    assert Path(source).is_absolute()  # sources resolve from any directory
    cited = source_text(source)[start:end]
    mark_text = card.query_selector("mark").inner_text()
    assert source.endswith("002_cc4a64d2fab6b694.txt")
    assert mark_text == cited
    # Inside the highlighted span, the words the answer states are marked, and they are its words.
    said = [b.inner_text() for b in card.query_selector_all("mark b.said")]
    fold = lambda t: " ".join(t.replace("’", "'").split()).lower()  # noqa: E731 - the marks' own folding
    assert said and all(fold(w) in fold(chat) for w in said), (said, chat)
    assert all(w in cited for w in said)
    # One click opens the whole article with the span highlighted and scrolled into view.
    page.locator("#open-source label").first.click()
    mark = page.wait_for_selector("#article-view mark", timeout=20_000)
    assert mark.inner_text() == mark_text
    assert [b.inner_text() for b in page.query_selector_all("#article-view mark b.said")] == said
    _scrolled_into_view(page, "#article-view mark")
    # Positive control: the same check is false once the passage is scrolled away.
    page.evaluate(TO_TOP_JS, "#article-view mark")
    assert not page.evaluate(IN_VIEW_JS, "#article-view mark")
    if os.environ.get("UPDATE_SCREENSHOTS"):
        page.screenshot(path=str(docs / "screenshot-article.png"), full_page=True)


def _asked_sources(page, question: str) -> list[str]:
    """Ask, wait for the checked answer, and return the file names of every passage on the panel."""
    _ask(page, question)
    page.wait_for_selector("#pending-sources", timeout=120_000)  # retrieval done …
    page.wait_for_function("() => !document.querySelector('#pending-sources')", timeout=180_000)  # … answer checked
    return sorted({Path(c.get_attribute("data-source")).name for c in page.query_selector_all("#sources .src")})


def test_the_filter_row_keeps_every_passage_inside_it(page):
    """Since, until and sources above the chat: every passage shown is of the filtered articles."""
    question = "How does China view the alliance between the United States and South Korea?"
    page.get_by_text("Settings", exact=True).click()
    page.check("#show-all input")  # every retrieved passage is on the panel, not only the cited ones
    assert len(_asked_sources(page, question)) >= 2  # the control: unfiltered, several articles answer
    page.fill("#filter-since input", "2022")
    assert _asked_sources(page, question) == ["000_900ea4f60c9d1c02.txt"]  # the one article dated 2022
    # A publisher picked in the dropdown, the date cleared.
    page.fill("#filter-since input", "")
    page.click("#filter-source input")
    page.keyboard.type("Global Times")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    assert _asked_sources(page, question) == ["003_be35bce159577316.txt"]
    # A bad date is said in the chat, and nothing is asked.
    page.fill("#filter-until input", "June")
    _ask(page, question)
    page.wait_for_function("() => document.querySelector('#chat').innerText.includes('Until must be a date')")


def test_the_passages_show_before_the_answer(page):
    before = page.inner_text("#chat")
    _ask(page, QUESTION)
    page.wait_for_selector("#pending-sources", timeout=120_000)
    early_chat = page.inner_text("#chat")
    early_cards = page.query_selector_all("#sources .src.uncited")
    page.wait_for_selector("#sources .src:not(.uncited), #sources .notfound", timeout=180_000)
    final_chat = page.inner_text("#chat")
    assert early_cards  # the reader has passages to read while the model writes
    # Nothing of the answer was there yet: the chat then held only the question.
    answer = final_chat.replace(before, "", 1)
    assert "[" not in early_chat and "[" in final_chat, (early_chat, final_chat)
    assert len(final_chat) > len(early_chat) + 20, answer
    assert not page.query_selector("#pending-sources")  # replaced by the checked sources


def test_each_answer_keeps_its_own_sources(page):
    _ask(page, QUESTION)
    first = page.wait_for_selector("#sources .src:not(.uncited)", timeout=180_000).get_attribute("data-source")
    _ask(page, "Who won the 2022 FIFA World Cup?")
    page.wait_for_selector("#sources .notfound", timeout=180_000)
    page.wait_for_function("() => !document.querySelector('#pending-sources')", timeout=60_000)
    # Clicking the first answer shows its sources again, not the last answer's.
    page.locator("#chat .message-row").nth(1).click()
    page.wait_for_function("() => !document.querySelector('#sources .notfound')", timeout=20_000)
    card = page.wait_for_selector("#sources .src:not(.uncited)", timeout=20_000)
    assert card.get_attribute("data-source") == first
    # Clicking the second answer's question brings its "not found" back (a not-found answer is
    # a folded note, whose own click folds it), and the first answer's sources come back again.
    rows = page.locator("#chat .message-row")
    rows.nth(2).click()
    page.wait_for_selector("#sources .notfound", timeout=20_000)
    rows.nth(1).click()
    page.wait_for_function("() => !document.querySelector('#sources .notfound')", timeout=20_000)
    assert page.wait_for_selector("#sources .src:not(.uncited)").get_attribute("data-source") == first


def _card_mark(page, marker: str) -> str:
    """The highlighted text of the source card labelled ``marker`` ("[2]")."""
    for card in page.query_selector_all("#sources .src:not(.uncited)"):
        if card.query_selector(".marker").inner_text() == marker:
            return card.query_selector("mark").inner_text()
    raise AssertionError(f"no source card {marker}")


def _article_mark_is(page, text: str) -> None:
    page.wait_for_function(
        "(t) => { const m = document.querySelector('#article-view mark'); return m && m.innerText === t; }",
        arg=text,
        timeout=20_000,
    )


def test_markers_are_links_that_open_their_passage_even_in_an_earlier_answer(page):
    links = page.locator('#chat a[href^="#cite-"]')
    _ask(page, QUESTION)
    page.wait_for_selector("#sources .src:not(.uncited)", timeout=180_000)
    links.first.wait_for(timeout=20_000)
    first = [links.nth(i).inner_text() for i in range(links.count())]
    assert first[0] == "[1]"  # numbered in order of first appearance
    first_marks = {n: _card_mark(page, n) for n in first}
    _ask(page, "How long had it been since the previous U.S.-South Korea 2+2 meeting?")
    page.wait_for_function(
        f"() => document.querySelectorAll('#chat a[href^=\"#cite-\"]').length > {len(first)}", timeout=180_000
    )
    last = links.last.inner_text()
    last_mark = _card_mark(page, last)
    if os.environ.get("UPDATE_SCREENSHOTS"):  # the 2+2 answer: the articles disagree, both sides cited
        page.screenshot(path=str(ROOT / "docs" / "screenshot-conflict.png"), full_page=True)
    # A click on a marker of the first answer brings that answer's sources back and opens its
    # passage, highlighted and scrolled into view.
    links.first.click()
    _article_mark_is(page, first_marks["[1]"])
    assert _card_mark(page, "[1]") == first_marks["[1]"]
    _scrolled_into_view(page, "#article-view mark")
    # The second answer's last marker opens its own passage.
    links.last.click()
    _article_mark_is(page, last_mark)


def test_people_tab_lists_speakers_and_opens_a_quote_in_its_article(page):
    from assistant.quotes.people import indexed_people

    expected = indexed_people(str(p) for p in sorted(SEEDS.iterdir()))
    shin = next(p for p in expected if p.name == "Shin Kak-soo")
    page.get_by_role("tab", name="People").click()
    table = page.locator("#people-table")
    table.get_by_text("Lloyd Austin", exact=True).wait_for(timeout=20_000)
    assert table.get_by_text("organisation", exact=True).count() + table.get_by_text("person", exact=True).count() > 5
    # The search narrows the table; the row says how often and where the person is quoted.
    page.fill("#people-search input", "shin")
    page.wait_for_function("() => !document.querySelector('#people-table').innerText.includes('Lloyd Austin')")
    cells = " ".join(table.inner_text().split())
    assert f"Shin Kak-soo person {len(shin.quotes)} {shin.articles}" in cells, cells
    table.get_by_text("Shin Kak-soo", exact=True).filter(visible=True).first.click()
    page.wait_for_selector("#people-quotes label", timeout=20_000)
    assert page.locator("#people-quotes label").count() == len(shin.quotes)
    page.locator("#people-quotes label").first.click()
    mark = page.wait_for_selector("#people-article mark", timeout=20_000)
    q = shin.quotes[0]
    assert mark.inner_text() == q.text == source_text(q.path)[q.start : q.end]
    _scrolled_into_view(page, "#people-article mark")
    if os.environ.get("UPDATE_SCREENSHOTS"):
        page.screenshot(path=str(ROOT / "docs" / "screenshot-people.png"), full_page=True)


def test_example_questions_come_from_the_quote_index(page):
    # The examples are drawn client-side after the chat box appears: wait for them, then read.
    page.get_by_text("What did", exact=False).first.wait_for(timeout=30_000)
    examples = page.inner_text("body")
    assert "What did" in examples and "say about" in examples
    assert QUESTION not in examples  # nothing hard-coded from the seeds


def test_refused_question_renders_as_not_found(page):
    _ask(page, "Who won the 2022 FIFA World Cup?")
    page.wait_for_selector("#sources .notfound", timeout=120_000)
    assert "Not found in the articles" in page.inner_text("#chat")
    assert page.query_selector_all("#sources .src")  # the closest passages are still offered


def test_api_answer_shape(client):
    r = client.predict(QUESTION, "[]", 5, api_name="/ask")
    assert set(r) >= {"question", "answer", "status", "citations", "retrieved", "model", "timings_ms"}
    assert r["status"] == "answered" and r["citations"]
    for c in r["citations"]:
        assert f"[{c['marker']}]" in r["answer"]
        assert (SEEDS / Path(c["source"]).name).read_text(encoding="utf-8")[c["start"] : c["end"]] == c["text"]


def test_api_rejects_an_empty_question(client):
    with pytest.raises(Exception, match="empty"):
        client.predict("   ", "[]", 5, api_name="/ask")


ARTICLE = """Baltic Ferry Accord signed in Tallinn
Published: March 3, 2021

Estonian transport minister Ilse Varnok signed the Baltic Ferry Accord in Tallinn on Wednesday.
"The accord cuts crossing times to Helsinki by a third," Varnok said.
"""


def test_uploaded_article_becomes_answerable(page, client, tmp_path):
    good = tmp_path / "ferry accord.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    bad = tmp_path / "notes.txt"
    bad.write_bytes(b"\x00\x01binary")
    page.get_by_role("tab", name="Articles").click()
    page.set_input_files("#upload input[type=file]", [str(good), str(bad)])
    _files_ready(page, good.name, bad.name)
    page.click("#add-files")
    # Queries keep working while the upload is being indexed.
    assert client.predict("Da Zhigang", 2, api_name="/retrieve")["passages"]
    page.wait_for_selector("#upload-status :text('✅')", timeout=120_000)
    status = page.inner_text("#upload-status")
    assert "rejected notes.txt" in status and "binary" in status
    assert "Baltic Ferry Accord" in page.inner_text("#corpus")
    r = client.predict("Who signed the Baltic Ferry Accord?", "[]", 5, api_name="/ask")
    assert r["status"] in ("answered", "uncertain") and r["citations"], r
    assert "Varnok" in r["answer"]
    assert any(c["source"].endswith("ferry_accord.txt") for c in r["citations"])


def test_script_tags_in_articles_never_execute(page, tmp_path):
    article = DATA / "adversarial" / "script_article.txt"
    page.get_by_role("tab", name="Articles").click()
    page.set_input_files("#upload input[type=file]", [str(article)])
    _files_ready(page, article.name)
    page.click("#add-files")
    page.wait_for_selector("#upload-status :text('✅')", timeout=120_000)
    page.get_by_role("tab", name="Chat").click()
    _ask(page, "What did Lena Dorsk say about the Mokpo harbor?")
    page.wait_for_selector("#sources .src", timeout=180_000)
    page.locator("#open-source label").first.click()
    page.wait_for_selector("#article-view mark", timeout=20_000)
    # Rendered as text, the article has no element that could run: no script, no image whose
    # onerror would fire later; and nothing ran while it was inserted.
    assert page.locator("#sources script, #sources img, #article-view script, #article-view img").count() == 0
    assert page.evaluate("() => window.__pwned === undefined")
    shown = page.inner_text("#sources") + page.inner_text("#article-view")
    assert "<script>" in shown  # rendered as text, not markup


def test_full_queue_says_busy_instead_of_timing_out(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from gradio_client import Client

    env = {"ASSISTANT_INDEX_DIR": str(tmp_path / "index"), "ASSISTANT_QUEUE_SIZE": "1", "ASSISTANT_QUIET": "1"}
    subprocess.run([str(VENV_BIN / "assistant"), "index", str(SEEDS)], env={**os.environ, **env}, check=True)
    with serving(env=env) as url:

        def ask(q):
            try:
                Client(url, verbose=False).predict(q, "[]", 5, api_name="/ask")
                return "ok"
            except Exception as exc:
                return str(exc)

        with ThreadPoolExecutor(6) as pool:
            results = list(pool.map(ask, [QUESTION] * 6))
    assert any("Queue is full" in r for r in results), results
    assert not any("timed out" in r.lower() for r in results)


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory):
    """`assistant serve` on an index folder that does not exist yet."""
    root = tmp_path_factory.mktemp("empty")
    env = {"ASSISTANT_INDEX_DIR": str(root / "index"), "ASSISTANT_QUIET": "1"}
    with serving(env=env, log=root / "serve.log") as url:
        yield url


@pytest.mark.browser
def test_an_empty_index_gets_a_page_that_says_how_to_add_articles(empty_server, tmp_path):
    with _open_page(empty_server) as page:
        note = page.inner_text("#empty-index")
        assert "No articles are indexed yet" in note and "assistant index" in note
        _ask(page, "Who signed the Baltic Ferry Accord?")
        page.wait_for_function(
            "() => document.querySelector('#chat').innerText.includes('no articles are indexed yet')", timeout=60_000
        )
        # The first upload opens the index: the note goes, and the question is answered.
        article = tmp_path / "ferry accord.txt"
        article.write_text(ARTICLE, encoding="utf-8")
        page.get_by_role("tab", name="Articles").click()
        page.set_input_files("#upload input[type=file]", [str(article)])
        _files_ready(page, article.name)
        page.click("#add-files")
        page.wait_for_selector("#upload-status :text('✅')", timeout=120_000)
        assert "Baltic Ferry Accord" in page.inner_text("#corpus")
        assert "No articles" not in page.inner_text("#empty-index")
        page.get_by_role("tab", name="Chat").click()
        _ask(page, "Who signed the Baltic Ferry Accord?")
        card = page.wait_for_selector("#sources .src:not(.uncited)", timeout=240_000)
        assert card.get_attribute("data-source").endswith("ferry_accord.txt")


@pytest.fixture(scope="module")
def unsure_server(tmp_path_factory):
    """`assistant serve` with a policy under which no confidence is enough to be ``answered``,
    so every supported answer is ``uncertain`` whatever the calibration."""
    root = tmp_path_factory.mktemp("unsure")
    policy = root / "policy.json"
    policy.write_text('{"confidence_answered": 1.0, "confidence_not_found": 0.0}', encoding="utf-8")
    with serving(env=_seeds_index(root) | {"ASSISTANT_POLICY": str(policy)}, log=root / "serve.log") as url:
        _wait_for_model(__import__("gradio_client").Client(url, verbose=False))
        yield url


def test_an_uncertain_answer_is_visibly_marked_and_its_words_are_marked_in_the_passage(unsure_server):
    from assistant.config import read_prompt
    from assistant.ui.render import UNCERTAIN_LABEL

    with _open_page(unsure_server) as page:
        _ask(page, QUESTION)
        note = page.wait_for_selector("#sources .uncertain", timeout=180_000)
        assert UNCERTAIN_LABEL in note.inner_text() and "confidence" in note.inner_text()
        chat = page.inner_text("#chat")
        assert UNCERTAIN_LABEL in chat, chat
        assert read_prompt("uncertain_note").strip().split("{")[0] in chat, chat
        card = page.wait_for_selector("#sources .src:not(.uncited)")
        marker = card.inner_text().split("]")[0] + "]"
        assert f"check {marker}" in chat, chat
        said = [b.inner_text() for b in card.query_selector_all("mark b.said")]
        cited = card.query_selector("mark").inner_text()
        assert said and all(w in cited for w in said), (said, cited)
        assert note.is_visible()
