"""Stage 6: the local Gradio chat page, a thin app over the answer pipeline.

Rendering lives in :mod:`assistant.ui.render` (pure functions), one chat turn in
:mod:`assistant.ui.chat`, the People and Articles tabs in :mod:`assistant.ui.people` and
:mod:`assistant.ui.articles`; this module holds the models, the chat tab and the API.
Answers stream into the chat; the side panel shows each cited passage highlighted
inside its paragraph, and one click opens the whole article with the span highlighted.
"""

from __future__ import annotations

import threading
from typing import Any

from assistant.config import Settings, parse_auth
from assistant.errors import BackendError, IndexMissingError, UserError
from assistant.ui.articles import articles_tab
from assistant.ui.chat import chat_turn
from assistant.ui.people import people_tab
from assistant.ui.render import (
    CITE_JS,
    CSS,
    EMPTY_INDEX_ERROR,
    EMPTY_INDEX_NOTE,
    SCROLL_JS,
    answer_at,
    cited_request,
    openable,
    render_article,
    render_sources,
    result_dict,
    source_choices,
)


class App:
    """Holds the models (loaded once per process) and the handlers."""

    def __init__(self, settings: Settings) -> None:
        from assistant.retrieve.retriever import Retriever

        self.settings = settings
        self.retriever: Any = None  # None while no article is indexed: the page says how to add some
        self.answerer: Any = None
        self._llm: Any = None
        self._answerer_lock = threading.Lock()
        self.load_error = ""
        self._people: tuple[str, list[Any]] = ("", [])  # (index version, everyone quoted in it)
        self.upload_dir = settings.index_dir / "uploads"
        self.index_lock = threading.Lock()
        self._ready = threading.Event()
        self._indexed = threading.Event()
        threading.Thread(target=self._load_llm, daemon=True).start()  # the model loads while the index does
        try:
            self.retriever = Retriever(settings)
        except IndexMissingError:
            pass  # no index yet, or an empty one: serve a page that explains how to add articles
        except BaseException:
            self._indexed.set()
            self._ready.wait()  # llama.cpp silences stdout and stderr while it loads; let the error be seen
            raise
        self._indexed.set()

    def _load_llm(self) -> None:
        from assistant.answer.generate import Generator
        from assistant.llm import describe, get_llm

        try:
            llm = get_llm(self.settings, say=lambda m: None)
            generator = Generator(llm, describe(self.settings))
            generator.warm_up(self.settings.cache_dir)
            self._indexed.wait()
            if self.retriever is None:
                generator.wait()  # llama.cpp silences stdout/stderr while it warms up; an error must be seen
            self._llm = llm
            self._connect()
        except Exception as exc:  # shown in the page, not a stack trace
            self.load_error = str(exc)
        finally:
            self._ready.set()

    def _connect(self) -> None:
        """Make the answerer once both the model and an index are there (either may come last)."""
        from assistant.answer.answerer import Answerer

        with self._answerer_lock:
            if self.answerer is None and self._llm is not None and self.retriever is not None:
                self.answerer = Answerer(self.settings, retriever=self.retriever, llm=self._llm, say=lambda m: None)

    def empty_note(self) -> str:
        """What the page says while no article is indexed ("" once there are some)."""
        return EMPTY_INDEX_NOTE if self.retriever is None else ""

    def wait_ready(self, timeout: float = 600) -> None:
        """Wait until the language model has loaded (or failed to)."""
        self._ready.wait(timeout)

    def backend_status(self) -> str:
        from assistant.llm import describe

        if self.load_error:
            state = "failed: " + self.load_error
        elif self.retriever is None and self._llm is not None:
            state = "ready; no articles indexed yet"
        else:
            state = "ready" if self.answerer else "loading…"
        return f"LLM: `{describe(self.settings)}` ({state}) · passages per question: {self.settings.k}"

    # -- chat ------------------------------------------------------------
    def stream(self, question: str, history: list[dict[str, str]] | None = None, k: int | None = None) -> Any:
        """A :class:`~assistant.answer.answerer.StreamReader` over the answer; an error while the model is not ready."""
        from assistant.answer.result import StreamReader

        self._opened()
        if self.answerer is None:
            if self.load_error:
                raise BackendError(f"the language model could not be loaded: {self.load_error}")
            raise BackendError("the language model is still loading; try again in a few seconds")
        return StreamReader(self.answerer.stream(question, history, k))

    def _opened(self) -> Any:
        """The retriever; a clear error while no article is indexed."""
        if self.retriever is None:
            raise UserError(EMPTY_INDEX_ERROR)
        return self.retriever

    def search(self, question: str, k: int | None = None) -> list[Any]:
        """Passages for ``question``."""
        return self._opened().search(question, k)

    def people(self) -> list[Any]:
        """Everyone quoted in the indexed articles (:mod:`assistant.quotes.people`), most quoted first."""
        from assistant.quotes.people import indexed_people

        if self.retriever is None:
            return []
        self.retriever.refresh()
        version = self.retriever.version
        if self._people[0] != version:  # re-grouped only when indexing changed the articles
            self._people = (version, indexed_people(str(m["path"]) for m in self.retriever.metas if m.get("path")))
        return self._people[1]

    def examples(self, n: int = 4) -> list[str]:
        """Example questions that fit the indexed folder, drawn from the quote index."""
        from assistant.ui.people import example_questions

        return example_questions(self.people(), self.retriever.idf, n) if self.retriever is not None else []

    def refresh_index(self) -> None:
        """See what indexing changed; the first articles of an empty index open it."""
        from assistant.retrieve.retriever import Retriever

        if self.retriever is not None:
            self.retriever.refresh(force=True)
            return
        try:
            self.retriever = Retriever(self.settings)
        except IndexMissingError:
            return  # every file was rejected: still empty
        self._connect()


def build_app(settings: Settings, app: App | None = None) -> tuple[Any, App]:
    """The Gradio Blocks app, and the :class:`App` behind it."""
    app = app or App(settings)  # before importing gradio, so the model loads meanwhile
    import gradio as gr

    def api_ask(question: str, history_json: str = "[]", k: int = 5) -> dict[str, Any]:
        """Answer a question. Returns {question, answer, status, citations, retrieved, model, timings_ms}."""
        from assistant.answer.condense import parse_history

        try:
            return result_dict(app.stream(question, parse_history(history_json or "[]"), int(k)).finish())
        except (UserError, BackendError) as exc:
            raise gr.Error(str(exc)) from None

    def api_retrieve(question: str, k: int = 5) -> dict[str, Any]:
        """Retrieve passages only. Returns {question, passages}."""
        try:
            passages = app.search(question, int(k))
        except UserError as exc:
            raise gr.Error(str(exc)) from None
        return {"question": question.strip(), "passages": [p.to_json() for p in passages]}

    with gr.Blocks(title="News assistant", fill_height=True) as demo:
        gr.Markdown(
            "## News assistant\nAnswers come only from the indexed articles; every [n] points to an exact passage."
        )
        status = gr.Markdown(app.backend_status(), elem_id="status-line")
        empty = gr.Markdown(app.empty_note, elem_id="empty-index")  # re-read at every page load
        last_result = gr.State(None)
        answers = gr.State({})  # chat message index -> that answer's result, so each keeps its sources
        with gr.Tab("Chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(label="Chat", height=480, elem_id="chat", group_consecutive_messages=False)
                    with gr.Row():
                        box = gr.Textbox(
                            placeholder="Ask about the articles…",
                            show_label=False,
                            scale=5,
                            elem_id="question",
                            max_length=settings.max_question_chars,
                        )
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
        people_tab(app)
        articles_tab(app, empty)

        def submit(message, hist, k_value, show, kept):
            for out in chat_turn(app, message, hist, k_value, show):
                if isinstance(out[3], dict):  # the checked result: keep it with its answer
                    yield (*out, {**(kept or {}), len(out[0]) - 1: out[3]})
                else:
                    yield (*out, gr.skip())

        event_inputs = [box, chatbot, k, show_all, answers]
        event_outputs = [chatbot, sources, pick, last_result, answers]
        for trigger in (box.submit, send.click):
            trigger(
                submit, event_inputs, event_outputs, concurrency_limit=2, concurrency_id="llm", api_visibility="private"
            ).then(lambda: "", None, box, queue=False, api_visibility="private")

        def open_source(choice, result):
            items = openable(result)
            if choice is None or int(choice) >= len(items):
                return ""
            return render_article(items[int(choice)])

        def show_answer(kept, show, evt: gr.SelectData):
            """Clicking an answer (or its question) shows that answer's sources again."""
            result = answer_at(kept or {}, evt.index)
            if result is None:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip()
            choices = source_choices(result)
            pick_update = gr.update(choices=choices, value=None, visible=bool(choices))
            return render_sources(result, show), pick_update, result, ""

        # Gradio passes the click's position to an argument typed gr.SelectData; with postponed
        # annotations (and gradio imported in this function) the type must be set as an object.
        show_answer.__annotations__["evt"] = gr.SelectData
        chatbot.select(
            show_answer,
            [answers, show_all],
            [sources, pick, last_result, article],
            queue=False,
            api_visibility="private",
        )

        def open_cited(request, kept, show):
            """A click on a marker in the chat: that answer's sources, and the passage opened."""
            where = cited_request(request)
            result = (kept or {}).get(where[0]) if where else None
            items = openable(result)
            i = next((i for i, c in enumerate(items) if c.get("marker") == where[1]), None) if where else None
            if result is None or i is None:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip()
            pick_update = gr.update(choices=source_choices(result), value=str(i), visible=True)
            return render_sources(result, show), pick_update, result, render_article(items[i])

        cite_request.change(
            open_cited,
            [cite_request, answers, show_all],
            [sources, pick, last_result, article],
            queue=False,
            api_visibility="private",
        ).then(None, None, None, js=SCROLL_JS)
        pick.change(open_source, [pick, last_result], article, queue=False, api_visibility="private").then(
            None, None, None, js=SCROLL_JS
        )
        show_all.change(
            lambda r, s: render_sources(r, s), [last_result, show_all], sources, queue=False, api_visibility="private"
        )
        clear.click(
            lambda: ([], render_sources(None, False), gr.update(choices=[], visible=False), None, "", {}),
            None,
            [chatbot, sources, pick, last_result, article, answers],
            queue=False,
            api_visibility="private",
        )

        gr.Timer(2.0).tick(app.backend_status, None, status, queue=False, api_visibility="private")
        gr.api(api_ask, api_name="ask", concurrency_limit=2, concurrency_id="llm")
        gr.api(api_retrieve, api_name="retrieve", concurrency_limit=8)
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
    )
    from assistant.ui.api import add_routes

    add_routes(demo.app, app, settings, pairs)  # for `assistant ask --server URL`
    demo.block_thread()
