"""The chat page's People tab, and example questions drawn from the quote index.

Picking a person lists their quotes (:mod:`assistant.quotes.people`); picking a quote opens its
article with the quoted words highlighted, as a citation does.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.answer.support import fold
from assistant.ingest.lexicon import FUNCTION_WORDS
from assistant.ui.render import SCROLL_JS, quote_item, render_article

_PHRASE = re.compile(r"(?<![.!?“\"]\s)(?<![“\"(])(?<!^)\b[A-Z][\w’'.-]*(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w’'.-]*)*")


def _topic(person: Any, idf: Callable[[str], float]) -> str:
    """What a person spoke about most distinctively: the capitalised name (not a sentence's
    first word) in their quotes with the highest count × IDF, their own name left out."""
    own = {fold(p) for n in [person.name, *person.variants] for p in n.split()}
    counts: Counter[str] = Counter()
    for q in person.quotes:
        for m in _PHRASE.finditer(q.text):
            for phrase in re.split(r"(?<=[\w’']{2}\.)\s+", m.group(0)):  # "Japan’s. South Korea" is two
                ws = (phrase if re.search(r"\.\w\.$", phrase) else phrase.rstrip(".")).split()  # "U.S." stays
                while ws and fold(ws[0]) in FUNCTION_WORDS:  # "If QUAD …": a clause's first word is no name
                    ws = ws[1:]
                if ws and not {fold(w) for w in ws} & own:
                    counts[" ".join(ws)] += 1
    if not counts:
        return ""
    return max(counts, key=lambda t: counts[t] * max(idf(fold(w)) for w in t.split()))


def example_questions(people: list[Any], idf: Callable[[str], float], n: int = 4) -> list[str]:
    """ "What did <a quoted person> say about <a topic they spoke on>?" for the most quoted."""
    out = []
    for person in people:
        topic = _topic(person, idf)
        if topic:
            out.append(f"What did {person.name} say about {topic}?")
        if len(out) == n:
            break
    return out


def quote_choices(person: Any) -> list[tuple[str, str]]:
    """One radio choice per quote: its words (shortened) and where it is."""
    choices = []
    for i, q in enumerate(person.quotes):
        words_ = q.text if len(q.text) <= 110 else q.text[:110].rsplit(" ", 1)[0] + "…"
        where = ", ".join(x for x in (q.publisher or q.title or Path(q.path).name, q.date) if x)
        choices.append((f"“{words_}” — {where}", str(i)))
    return choices


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def people_tab(app: Any) -> None:
    """The People tab of the page (inside the app's ``gr.Blocks``)."""
    import gradio as gr

    def everyone() -> Any:
        people = app.people()
        choices = [
            (f"{p.name} ({_count(len(p.quotes), 'quote')}, {_count(p.articles, 'article')})", p.name) for p in people
        ]
        note = "" if people else "Nobody is quoted in the indexed articles yet."
        return gr.update(choices=choices, value=None), note

    def named(name: str | None) -> Any:
        return next((p for p in app.people() if p.name == name), None)

    def pick_person(name: str | None) -> Any:
        person = named(name)
        if person is None:
            return gr.update(choices=[], value=None, visible=False), ""
        return gr.update(choices=quote_choices(person), value=None, visible=True), ""

    def open_quote(name: str | None, choice: str | None) -> str:
        person = named(name)
        if person is None or choice is None or int(choice) >= len(person.quotes):
            return ""
        return render_article(quote_item(person.quotes[int(choice)]))

    with gr.Tab("People") as tab:
        gr.Markdown("Everyone quoted in the indexed articles. Pick a person, then a quote to read it in its article.")
        who = gr.Dropdown(choices=[], label="Person", elem_id="people-pick", interactive=True)
        note = gr.Markdown("", elem_id="people-note")
        quotes = gr.Radio(choices=[], label="Quotes", visible=False, elem_id="people-quotes")
        view = gr.HTML("", elem_id="people-article")
    tab.select(everyone, None, [who, note], queue=False, api_visibility="private")
    who.change(pick_person, who, [quotes, view], queue=False, api_visibility="private")
    quotes.change(open_quote, [who, quotes], view, queue=False, api_visibility="private").then(
        None, None, None, js=SCROLL_JS.replace("#article-view", "#people-article")
    )
