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
from assistant.ingest.attribution import is_organisation
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


def kind(person: Any) -> str:
    """ "organisation" or "person", as the People table says it."""
    return "organisation" if is_organisation(person.name) else "person"


def _usual_name(person: Any) -> str:
    """The form of a person's name the articles use most, of two words or more ("Clayton Yeutter",
    not the longest form with an odd title)."""
    forms = Counter(q.speaker for q in person.quotes if len(q.speaker.split()) > 1)
    return max(forms, key=lambda n: (forms[n], -len(n))) if forms else person.name


def example_questions(people: list[Any], idf: Callable[[str], float], n: int = 4) -> list[str]:
    """ "What did <a quoted person> say about <a topic they spoke on>?" for the best-attested
    people: quoted in the most articles, then most often; organisations and lone surnames left out."""
    out = []
    attested = [p for p in people if kind(p) == "person" and len(p.name.split()) > 1]
    for person in sorted(attested, key=lambda p: (-p.articles, -len(p.quotes), p.name)):
        topic = _topic(person, idf)
        if topic:
            out.append(f"What did {_usual_name(person)} say about {topic}?")
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


COLUMNS = ["Name", "Kind", "Quotes", "Articles"]


def table_rows(people: list[Any], search: str = "") -> list[list[Any]]:
    """The People table: one row per person whose name (or a variant) holds ``search``, most quoted first."""
    q = search.strip().casefold()
    return [
        [p.name, kind(p), len(p.quotes), p.articles]
        for p in people
        if not q or any(q in n.casefold() for n in [p.name, *p.variants])
    ]


def people_tab(app: Any) -> None:
    """The People tab of the page (inside the app's ``gr.Blocks``): a searchable table of who is
    quoted; picking a row lists that person's quotes, picking a quote opens it in its article."""
    import gradio as gr

    def rows(search: str) -> Any:
        people = app.people()
        note = "" if people else "Nobody is quoted in the indexed articles yet."
        return gr.update(value=table_rows(people, search or "")), note

    def named(name: str | None) -> Any:
        return next((p for p in app.people() if p.name == name), None)

    def pick_person(evt: Any) -> Any:
        name = (evt.row_value or [None])[0]
        person = named(name)
        if person is None:
            return None, gr.update(choices=[], value=None, visible=False), ""
        label = f"Quotes of {person.name}"
        return name, gr.update(choices=quote_choices(person), value=None, visible=True, label=label), ""

    def open_quote(name: str | None, choice: str | None) -> str:
        person = named(name)
        if person is None or choice is None or int(choice) >= len(person.quotes):
            return ""
        return render_article(quote_item(person.quotes[int(choice)]))

    pick_person.__annotations__["evt"] = gr.SelectData  # Gradio passes the clicked row to it
    with gr.Tab("People") as tab:
        gr.Markdown("Everyone quoted in the indexed articles, most quoted first. Search, pick a row, "
                    "then a quote to read it in its article.")  # fmt: skip
        search = gr.Textbox(placeholder="Search a name…", show_label=False, elem_id="people-search", max_lines=1)
        table = gr.Dataframe(headers=COLUMNS, value=[], interactive=False, elem_id="people-table",
                             max_height=360, column_widths=["50%", "20%", "15%", "15%"])  # fmt: skip
        note = gr.Markdown("", elem_id="people-note")
        chosen = gr.State(None)
        quotes = gr.Radio(choices=[], label="Quotes", visible=False, elem_id="people-quotes")
        view = gr.HTML("", elem_id="people-article")
    private = {"queue": False, "api_visibility": "private"}
    tab.select(rows, search, [table, note], **private)
    search.change(rows, search, [table, note], **private)
    table.select(pick_person, None, [chosen, quotes, view], **private)
    quotes.change(open_quote, [chosen, quotes], view, **private).then(
        None, None, None, js=SCROLL_JS.replace("#article-view", "#people-article")
    )
