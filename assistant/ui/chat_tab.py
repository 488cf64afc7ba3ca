"""The chat tab: the conversation beside its sources, and what each click on them opens."""

from __future__ import annotations

from functools import partial
from typing import Any

from assistant.config import Settings
from assistant.ui.chat import chat_turn
from assistant.ui.render import (
    SCROLL_JS,
    answer_at,
    cited_request,
    openable,
    render_article,
    render_sources,
    source_choices,
)

_PRIVATE = {"queue": False, "api_visibility": "private"}


def page_filters(since: str | None, until: str | None, sources: list[str] | str | None) -> Any:
    """The filter row's values as :class:`~assistant.retrieve.filters.Filters` (a UserError names the field)."""
    from assistant.retrieve.filters import Filters

    sources = [sources] if isinstance(sources, str) else sources
    return Filters.of(since, until, sources, names=("Since", "Until"))


def submit(app: Any, message: str, hist: list, k_value: float, show: bool, kept: dict | None, *row: Any):
    """One chat turn, within the filter row's ``row`` (since, until, sources); its checked result
    is kept with its answer (by message index)."""
    import gradio as gr

    from assistant.errors import UserError

    try:
        filters = page_filters(*row)
    except UserError as exc:
        hist = list(hist or []) + [{"role": "user", "content": message}, {"role": "assistant", "content": f"⚠️ {exc}"}]
        yield hist, gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return
    for out in chat_turn(app, message, hist, k_value, show, filters):
        if isinstance(out[3], dict):
            yield (*out, {**(kept or {}), len(out[0]) - 1: out[3]})
        else:
            yield (*out, gr.skip())


def open_source(choice: str | None, result: dict | None) -> str:
    """The picked source's article, with its span highlighted."""
    items = openable(result)
    if choice is None or int(choice) >= len(items):
        return ""
    return render_article(items[int(choice)])


def show_answer(kept: dict | None, show: bool, evt: Any):
    """Clicking an answer (or its question) shows that answer's sources again."""
    import gradio as gr

    result = answer_at(kept or {}, evt.index)
    if result is None:
        return gr.skip(), gr.skip(), gr.skip(), gr.skip()
    choices = source_choices(result)
    return render_sources(result, show), gr.update(choices=choices, value=None, visible=bool(choices)), result, ""


def open_cited(request: str, kept: dict | None, show: bool):
    """A click on a marker in the chat: that answer's sources, and the passage opened."""
    import gradio as gr

    where = cited_request(request)
    result = (kept or {}).get(where[0]) if where else None
    items = openable(result)
    i = next((i for i, c in enumerate(items) if c.get("marker") == where[1]), None) if where else None
    if result is None or i is None:
        return gr.skip(), gr.skip(), gr.skip(), gr.skip()
    pick_update = gr.update(choices=source_choices(result), value=str(i), visible=True)
    return render_sources(result, show), pick_update, result, render_article(items[i])


def _clear():
    import gradio as gr

    return [], render_sources(None, False), gr.update(choices=[], visible=False), None, "", {}


def chat_tab(app: Any, settings: Settings) -> None:
    """Lay out the chat tab inside the current Blocks and connect its events."""
    import gradio as gr

    last_result = gr.State(None)
    answers = gr.State({})  # chat message index -> that answer's result, so each keeps its sources
    with gr.Tab("Chat"), gr.Row():
        with gr.Column(scale=3):
            with gr.Row(elem_id="filters", equal_height=True):
                since = gr.Textbox(label="Since", placeholder="2022, 2022-06 or 2022-06-07", scale=1,
                                   elem_id="filter-since", max_lines=1)  # fmt: skip
                until = gr.Textbox(label="Until", placeholder="a date, inclusive", scale=1,
                                   elem_id="filter-until", max_lines=1)  # fmt: skip
                source = gr.Dropdown(app.source_choices(), value=[], multiselect=True, allow_custom_value=True,
                                     label="Sources (publishers or folders)", scale=2, elem_id="filter-source",
                                     info="Undated articles are left out when a date is set.")  # fmt: skip
            chatbot = gr.Chatbot(label="Chat", height=480, elem_id="chat", group_consecutive_messages=False)
            with gr.Row():
                box = gr.Textbox(placeholder="Ask about the articles…", show_label=False, scale=5,
                                 elem_id="question", max_length=settings.max_question_chars)  # fmt: skip
                send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
            examples = app.examples()
            if examples:
                gr.Examples(examples, inputs=box, label="Example questions")
            with gr.Accordion("Settings", open=False):
                k = gr.Slider(1, 10, value=settings.k, step=1, label="Passages per question")
                show_all = gr.Checkbox(False, label="Show all retrieved passages", elem_id="show-all")
                clear = gr.Button("New conversation")
        with gr.Column(scale=2):
            gr.Markdown("### Sources")
            sources = gr.HTML(render_sources(None, False), elem_id="sources")
            pick = gr.Radio(choices=[], label="Open an article", visible=False, elem_id="open-source")
            article = gr.HTML("", elem_id="article-view")
            cite_request = gr.Textbox("", elem_id="cite-request", show_label=False, container=False)

    turn = partial(submit, app)
    for trigger in (box.submit, send.click):
        trigger(turn, [box, chatbot, k, show_all, answers, since, until, source],
                [chatbot, sources, pick, last_result, answers],
                concurrency_limit=2, concurrency_id="llm", api_visibility="private",
                ).then(lambda: "", None, box, **_PRIVATE)  # fmt: skip
    # Gradio passes the click's position to an argument typed gr.SelectData; with postponed
    # annotations the type must be set as an object.
    show_answer.__annotations__["evt"] = gr.SelectData
    panel = [sources, pick, last_result, article]
    chatbot.select(show_answer, [answers, show_all], panel, **_PRIVATE)
    cite_request.change(open_cited, [cite_request, answers, show_all], panel, **_PRIVATE).then(
        None, None, None, js=SCROLL_JS
    )
    pick.change(open_source, [pick, last_result], article, **_PRIVATE).then(None, None, None, js=SCROLL_JS)
    show_all.change(render_sources, [last_result, show_all], sources, **_PRIVATE)
    clear.click(_clear, None, [chatbot, sources, pick, last_result, article, answers], **_PRIVATE)
