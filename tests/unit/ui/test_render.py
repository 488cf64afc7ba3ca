"""The chat page's HTML, rendered from an answer's JSON without a server."""

from __future__ import annotations

from assistant.ui.render import (
    NOT_FOUND_LABEL,
    answer_at,
    highlight,
    openable,
    render_article,
    render_retrieved,
    render_sources,
    source_card,
    source_choices,
)


def _passage(path, text: str, needle: str, **extra) -> dict:
    start = text.index(needle)
    return {"source": str(path), "start": start, "end": start + len(needle), "text": needle, "title": "Talks"} | extra


def test_highlight_escapes_and_marks_the_span():
    out = highlight("a <b> c", 2, 5)
    assert out == "a <mark>&lt;b&gt;</mark> c"


def test_a_card_highlights_the_span_in_its_paragraph(tmp_path):
    text = "Headline\n\nFirst paragraph.\nThe minister said <script>x()</script> the talks went well.\nLast."
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    card = source_card(
        _passage(path, text, "the talks went well", support={"verdict": "supported", "score": 0.8}), "[1]"
    )
    assert "<mark>the talks went well</mark>" in card and "&lt;script&gt;" in card and "<script>" not in card
    assert "First paragraph" not in card and "support 0.80" in card


def test_a_card_for_a_changed_file_shows_the_stored_span_only(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Something else entirely.", encoding="utf-8")
    card = source_card({"source": str(path), "start": 0, "end": 5, "text": "Hello", "title": "T"}, "[1]")
    assert "<mark>Hello</mark>" in card


def test_not_found_shows_the_label_the_reason_and_the_closest_passages(tmp_path):
    text = "One passage here.\nAnother passage there."
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    retrieved = [_passage(path, text, "One passage here."), _passage(path, text, "Another passage there.")]
    result = {"status": "not_found", "reason": "no passage states it", "citations": [], "retrieved": retrieved}
    html_out = render_sources(result, show_all=False)
    assert NOT_FOUND_LABEL in html_out and "no passage states it" in html_out
    assert html_out.count('class="src uncited"') == 2
    assert [label for label, _ in source_choices(result)] == ["#1 Talks", "#2 Talks"] and openable(result) == retrieved


def test_removed_sentences_are_listed_and_the_article_view_marks_the_span(tmp_path):
    text = "Title\n\nThe deal was signed in May."
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    cite = _passage(path, text, "signed in May", marker=1)
    result = {
        "status": "answered",
        "citations": [cite],
        "retrieved": [cite],
        "removed": [{"sentence": "It cost $5 billion.", "why": "no span states 5 billion"}],
    }
    assert "Removed from the answer: “It cost $5 billion.”" in render_sources(result, show_all=False)
    assert '<mark id="cited-span">signed in May</mark>' in render_article(cite)


def test_the_passages_found_are_shown_uncited_while_the_answer_is_written(tmp_path):
    text = "One passage here.\nAnother passage there."
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    out = render_retrieved([_passage(path, text, "One passage here."), _passage(path, text, "Another passage there.")])
    assert "pending-sources" in out and out.count('class="src uncited"') == 2
    assert "<mark>Another passage there.</mark>" in out


def test_a_click_on_an_answer_or_its_question_finds_that_answer():
    kept = {1: {"answer": "first"}, 3: {"answer": "second"}}
    assert answer_at(kept, 1)["answer"] == "first" and answer_at(kept, 0)["answer"] == "first"
    assert answer_at(kept, [3])["answer"] == "second" and answer_at(kept, (2, 0))["answer"] == "second"
    assert answer_at(kept, 7) is None and answer_at(kept, None) is None and answer_at({}, 1) is None


def test_not_found_offers_the_asked_about_persons_quotes(tmp_path):
    from assistant.ui.render import render_sources

    path = tmp_path / "a.txt"
    path.write_text("Title\n\n“The port will reopen,” Berg said.", encoding="utf-8")
    quote = {
        "speaker": "Berg",
        "text": "The port will reopen",
        "start": 8,
        "end": 28,
        "path": str(path),
        "title": "Title",
    }
    html = render_sources({"status": "not_found", "retrieved": [], "citations": [], "speaker_quotes": [quote]}, False)
    assert "Berg is quoted in the articles, but not on this" in html
    assert "<mark>The port will reopen</mark>" in html
    assert "speaker-quotes" not in render_sources({"status": "not_found", "retrieved": [], "citations": []}, False)


def test_the_words_the_answer_states_are_marked_inside_the_highlighted_span(tmp_path):
    text = "Headline\n\nThe minister said the talks went well <b>today</b>.\nLast."
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    start = text.index("talks went well")
    marks = [{"start": start, "end": start + len("talks went well")}]
    item = _passage(path, text, "the talks went well <b>today</b>", marks=marks)
    for html_out in (source_card(item, "[1]"), render_article(item)):
        assert '<mark id="cited-span">' in html_out or "<mark>" in html_out
        assert 'the <b class="said">talks went well</b> &lt;b&gt;today&lt;/b&gt;</mark>' in html_out


def test_marks_outside_the_span_are_ignored():
    assert (
        highlight("abcdef", 1, 4, said=[(0, 2), (3, 6)])
        == 'a<mark><b class="said">b</b>c<b class="said">d</b></mark>ef'
    )


def test_an_uncertain_answer_is_marked_with_its_confidence_and_an_answered_one_is_not(tmp_path):
    from assistant.ui.render import UNCERTAIN_LABEL

    text = "Title\n\nThe deal was signed in May."
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    cited = _passage(path, text, "The deal was signed in May.", marker=1)
    result = {"status": "uncertain", "confidence": 0.52, "citations": [cited], "retrieved": [cited]}
    out = render_sources(result, show_all=False)
    assert "class='uncertain'" in out and UNCERTAIN_LABEL in out and "confidence 0.52" in out
    answered = render_sources(result | {"status": "answered", "confidence": 0.97}, show_all=False)
    assert UNCERTAIN_LABEL not in answered and "Answered · confidence 0.97" in answered
