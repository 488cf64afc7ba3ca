"""The local Gradio chat page, a thin app over the answer pipeline.

Rendering lives in :mod:`assistant.ui.render` (pure functions), the state in
:mod:`assistant.ui.state`, the chat tab in :mod:`assistant.ui.chat_tab` (one turn in
:mod:`assistant.ui.chat`), the People and Articles tabs in :mod:`assistant.ui.people` and
:mod:`assistant.ui.articles`; this module puts them on one page with the API.
Answers stream into the chat; the side panel shows each cited passage highlighted
inside its paragraph, and one click opens the whole article with the span highlighted.
"""

from __future__ import annotations

from typing import Any

from assistant.config import Settings, parse_auth
from assistant.errors import BackendError, UserError
from assistant.ui.articles import articles_tab
from assistant.ui.chat_tab import chat_tab
from assistant.ui.people import people_tab
from assistant.ui.render import CITE_JS, CSS, result_dict
from assistant.ui.state import App


def _filters(since: str, until: str, source: str) -> Any:
    from assistant.retrieve.filters import Filters

    return Filters.of(since, until, [s for s in (source or "").split(",") if s.strip()])


def api_handlers(app: App) -> tuple[Any, Any]:
    """The JSON API's ``/ask`` and ``/retrieve`` over ``app`` (their signatures are the API's)."""
    import gradio as gr

    from assistant.answer.condense import parse_history

    def ask(
        question: str, history_json: str = "[]", k: int = 5, since: str = "", until: str = "", source: str = ""
    ) -> dict[str, Any]:
        """Answer a question, only from articles dated since/until (2022, 2022-06 or 2022-06-07) and of
        the sources (publishers or folders, comma-separated). Returns {question, answer, status,
        citations, retrieved, model, timings_ms}."""
        try:
            filters = _filters(since, until, source)
            return result_dict(app.stream(question, parse_history(history_json or "[]"), int(k), filters).finish())
        except (UserError, BackendError) as exc:
            raise gr.Error(str(exc)) from None

    def retrieve(question: str, k: int = 5, since: str = "", until: str = "", source: str = "") -> dict[str, Any]:
        """Retrieve passages only, with the filters of /ask. Returns {question, passages}."""
        try:
            passages = app.search(question, int(k), _filters(since, until, source))
        except UserError as exc:
            raise gr.Error(str(exc)) from None
        return {"question": question.strip(), "passages": [p.to_json() for p in passages]}

    return ask, retrieve


def build_app(settings: Settings, app: App | None = None) -> tuple[Any, App]:
    """The Gradio Blocks app, and the :class:`App` behind it."""
    app = app or App(settings)  # before importing gradio, so the model loads meanwhile
    import gradio as gr

    with gr.Blocks(title="News assistant", fill_height=True) as demo:
        gr.Markdown(
            "## News assistant\nAnswers come only from the indexed articles; every [n] points to an exact passage."
        )
        status = gr.Markdown(app.backend_status(), elem_id="status-line")
        empty = gr.Markdown(app.empty_note, elem_id="empty-index")  # re-read at every page load
        chat_tab(app, settings)
        people_tab(app)
        articles_tab(app, empty)
        gr.Timer(2.0).tick(app.backend_status, None, status, queue=False, api_visibility="private")
        ask, retrieve = api_handlers(app)
        gr.api(ask, api_name="ask", concurrency_limit=2, concurrency_id="llm")
        gr.api(retrieve, api_name="retrieve", concurrency_limit=8)
    # A full queue answers at once with Gradio's "Queue is full! Please try again." (HTTP 503).
    demo.queue(max_size=settings.queue_size, default_concurrency_limit=4)
    demo.app_state = app  # for tests and scripts
    return demo, app


def serve(settings: Settings, host: str, port: int, auth: str = "") -> None:
    """Start the server and block."""
    loopback = host in ("127.0.0.1", "localhost", "::1")
    pairs = parse_auth(auth) if auth else None
    if not loopback and not pairs:
        print(f"warning: serving on {host} without --auth: anyone who can reach this machine can use it", flush=True)
    demo, app = build_app(settings)
    import gradio as gr

    from assistant.ui.api import routes

    print(f"Open http://{'127.0.0.1' if loopback else host}:{port} in your browser (Ctrl-C to stop)", flush=True)
    demo.launch(
        head=CITE_JS,
        prevent_thread_lock=True,
        server_name=host,
        server_port=port,
        share=False,
        auth=pairs,
        inbrowser=False,
        show_error=True,
        css=CSS,
        max_file_size=settings.max_file_bytes,
        footer_links=["api"],
        ssr_mode=False,
        theme=gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["monospace"]),
        # `assistant ask --server URL` endpoints, in place before the port accepts a request
        app_kwargs={"routes": routes(app, settings, pairs)},
    )
    demo.block_thread()
