"""Stage 6: the local Gradio chat page.

Answers stream into the chat; the side panel shows each cited passage
highlighted inside its paragraph, and one click on a source opens the whole
article with the span highlighted and scrolled into view.  Everything
rendered from articles is HTML-escaped.
"""

from __future__ import annotations

import html
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .config import Settings
from .errors import BackendError, UserError

EXAMPLES = [
    "What did Shin Kak-soo say about Quad+?",
    "How long had it been since the previous U.S.-South Korea 2+2 meeting?",
    "What did Kim Yo Jong warn the new US administration?",
    "What did Song Zhongping say about NATO?",
]
UPLOAD_TYPES = (".txt", ".md", ".html", ".htm")
NOT_FOUND_LABEL = "Not found in the articles"

CSS = """
#sources .src {border:1px solid #d0d7de;border-radius:8px;padding:10px 12px;margin:0 0 10px 0}
#sources .src.uncited {opacity:.75;border-style:dashed}
#sources .meta {font-size:.85em;color:#57606a}
#sources .marker {font-weight:700;margin-right:.3em}
#sources mark, #article-view mark {background:#fff3a3;padding:0 2px;border-radius:2px}
#sources .notfound {background:#fff4f4;border:1px solid #f0b4b4;border-radius:8px;padding:8px 12px;margin-bottom:10px}
#article-view .article {white-space:pre-wrap;max-height:480px;overflow:auto;border:1px solid #d0d7de;
  border-radius:8px;padding:12px;line-height:1.5}
#status-line {font-size:.9em;color:#57606a}
#sources .check {color:#1a7f37}
#sources .removed {border-left:3px solid #d4a72c;padding-left:8px;margin-bottom:8px}
"""
SCROLL_JS = """() => { setTimeout(() => { const m = document.querySelector('#article-view mark');
  if (m) { m.scrollIntoView({block: 'center'}); } }, 150); }"""


# --- rendering (pure functions) ---------------------------------------------


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return ""


def _paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    a = text.rfind("\n", 0, start) + 1
    b = text.find("\n", end)
    return a, len(text) if b < 0 else b


def highlight(text: str, start: int, end: int, mark_id: str = "") -> str:
    """Escaped ``text`` with ``text[start:end]`` wrapped in ``<mark>``."""
    attr = f' id="{mark_id}"' if mark_id else ""
    return html.escape(text[:start]) + f"<mark{attr}>{html.escape(text[start:end])}</mark>" + html.escape(text[end:])


def _meta_line(item: dict[str, Any]) -> str:
    parts = [item.get("publisher") or "", item.get("date") or "", Path(item.get("source", "")).name]
    return " · ".join(html.escape(p) for p in parts if p)


def source_card(item: dict[str, Any], label: str, cited: bool = True) -> str:
    """One source: title, publisher · date · file, and the span highlighted in its paragraph."""
    text = _read(item.get("abspath") or item["source"])
    start, end = int(item["start"]), int(item["end"])
    if text[start:end] == item["text"]:
        a, b = _paragraph_bounds(text, start, end)
        body = highlight(text[a:b], start - a, end - a)
    else:  # the file changed since indexing: show the stored span only
        body = f"<mark>{html.escape(item['text'])}</mark>"
    cls = "src" if cited else "src uncited"
    support = item.get("support") or {}
    check = ""
    if support:
        what = "states the sentence" if support.get("verdict") == "supported" else "quoted"
        check = f" · <span class='check'>✓ {what} (support {float(support.get('score', 0)):.2f})</span>"
    return (
        f'<div class="{cls}" data-source="{html.escape(item["source"])}" data-start="{start}" data-end="{end}">'
        f'<div><span class="marker">{html.escape(label)}</span><b>{html.escape(item.get("title") or item["source"])}</b></div>'
        f'<div class="meta">{_meta_line(item)} · chars {start}–{end}{check}</div>'
        f"<p>{body}</p></div>"
    )


def render_sources(result: dict[str, Any] | None, show_all: bool) -> str:
    """The side panel for one answer."""
    if not result:
        return "<p class='meta'>Ask a question: the passages behind each answer appear here.</p>"
    out = []
    if result.get("error"):
        out.append(f"<div class='notfound'><b>Error.</b> {html.escape(result['error'])}</div>")
    if result.get("status") == "not_found":
        why = f" ({html.escape(result['reason'])})" if result.get("reason") else ""
        out.append(
            f"<div class='notfound'><b>{NOT_FOUND_LABEL}</b>{why}. The closest passages are below; "
            "they do not answer the question.</div>"
        )
    elif result.get("method") == "extracted":
        out.append("<div class='meta'>Quoted from the article: the model gave no checked answer.</div>")
    for r in result.get("removed", []):
        out.append(
            f"<div class='removed meta'>Removed from the answer: “{html.escape(r['sentence'])}” "
            f"({html.escape(r['why'])})</div>"
        )
    for c in result.get("citations", []):
        out.append(source_card(c, f"[{c['marker']}]"))
    cited = {(c["source"], c["start"]) for c in result.get("citations", [])}
    uncited = [p for p in result.get("retrieved", []) if (p["source"], p["start"]) not in cited]
    if result.get("status") == "not_found" or result.get("error"):
        uncited_to_show = uncited[:3] if not show_all else uncited
    else:
        uncited_to_show = uncited if show_all else []
    if uncited_to_show:
        out.append("<div class='meta'>Retrieved but not cited:</div>")
        out.extend(source_card(p, "·", cited=False) for p in uncited_to_show)
    return "\n".join(out)


def render_article(item: dict[str, Any] | None) -> str:
    """The whole article with the cited span highlighted."""
    if not item:
        return ""
    text = _read(item.get("abspath") or item["source"])
    start, end = int(item["start"]), int(item["end"])
    if text[start:end] != item["text"]:
        return "<p class='meta'>This article changed on disk since it was indexed; re-index it.</p>"
    title = html.escape(item.get("title") or item["source"])
    return (
        f"<h3>{title}</h3><div class='meta'>{_meta_line(item)}</div>"
        f"<div class='article'>{highlight(text, start, end, 'cited-span')}</div>"
    )


def openable(result: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The passages a user can open: the citations, or for a refusal the three closest."""
    if not result:
        return []
    return result.get("citations") or result.get("retrieved", [])[:3]


def source_choices(result: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Radio choices for opening the cited (or closest) articles; values index :func:`openable`."""
    choices = []
    for i, c in enumerate(openable(result)):
        label = f"[{c['marker']}]" if "marker" in c else f"#{i + 1}"
        title = (c.get("title") or Path(c["source"]).name)[:70]
        choices.append((f"{label} {title}", str(i)))
    return choices


# --- uploads -----------------------------------------------------------------


def safe_upload_name(name: str) -> str:
    """A file name with no directories or odd characters; raise :class:`UserError` if unusable."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).lstrip("._")
    if not base or Path(base).suffix.lower() not in UPLOAD_TYPES:
        raise UserError(f"{Path(name).name or name!r}: only .txt, .md and .html articles can be added")
    return base[:120]


# --- the app -----------------------------------------------------------------


class App:
    """Holds the models (loaded once per process) and the handlers."""

    def __init__(self, settings: Settings) -> None:
        from .retrieve import Retriever

        self.settings = settings
        self.retriever = Retriever(settings)
        self.answerer: Any = None
        self.load_error = ""
        self.upload_dir = settings.index_dir / "uploads"
        self.index_lock = threading.Lock()
        threading.Thread(target=self._load_llm, daemon=True).start()

    def _load_llm(self) -> None:
        from .answer import Answerer

        try:
            self.answerer = Answerer(self.settings, retriever=self.retriever, say=lambda m: None)
        except Exception as exc:  # shown in the page, not a stack trace
            self.load_error = str(exc)

    def backend_status(self) -> str:
        from .llm import describe

        state = "ready" if self.answerer else ("failed: " + self.load_error if self.load_error else "loading…")
        return f"LLM: `{describe(self.settings)}` ({state}) · passages per question: {self.settings.k}"

    # -- chat ------------------------------------------------------------
    def ask(self, question: str, history: list[dict[str, str]] | None = None, k: int | None = None) -> Iterator[Any]:
        """Yield tokens, then the result dict (the API shape)."""
        from .answer import AnswerResult

        if self.answerer is None:
            if self.load_error:
                raise BackendError(f"the language model could not be loaded: {self.load_error}")
            raise BackendError("the language model is still loading; try again in a few seconds")
        for item in self.answerer.stream(question, history, k):
            if isinstance(item, AnswerResult):
                yield _result_dict(item)
            else:
                yield item

    def chat(
        self, message: str, chat_history: list[dict[str, Any]], k: float, show_all: bool
    ) -> Iterator[tuple[Any, ...]]:
        import gradio as gr

        history = [
            {"role": m["role"], "content": _plain(m["content"])}
            for m in chat_history or []
            if m.get("role") in ("user", "assistant")
        ]
        chat_history = list(chat_history or []) + [
            {"role": "user", "content": message},
            {"role": "assistant", "content": ""},
        ]
        result: dict[str, Any] | None = None
        streamed = ""
        try:
            for item in self.ask(message, history, int(k)):
                if isinstance(item, dict):
                    result = item
                else:
                    streamed += item
                    chat_history[-1] = {"role": "assistant", "content": streamed}
                    yield chat_history, gr.skip(), gr.skip(), gr.skip()
        except (UserError, BackendError) as exc:
            passages = [p.to_json() | {"abspath": p.path} for p in getattr(exc, "passages", [])]
            result = {"error": str(exc), "citations": [], "retrieved": passages, "status": "error"}
            chat_history[-1] = {"role": "assistant", "content": f"⚠️ {exc}"}
        else:
            assert result is not None
            if result["status"] == "not_found":
                chat_history[-1] = {
                    "role": "assistant",
                    "content": result["answer"],
                    "metadata": {"title": f"🔍 {NOT_FOUND_LABEL}"},
                }
            else:
                chat_history[-1] = {"role": "assistant", "content": result["answer"]}
        choices = source_choices(result)
        yield (
            chat_history,
            render_sources(result, show_all),
            gr.update(choices=choices, value=None, visible=bool(choices)),
            result,
        )

    # -- corpus ------------------------------------------------------------
    def corpus_rows(self) -> list[list[Any]]:
        self.retriever.refresh()
        rows: dict[str, list[Any]] = {}
        for m in self.retriever.metas:
            row = rows.setdefault(
                m["path"], [m.get("title", ""), m.get("publisher", ""), m.get("date", ""), Path(m["source"]).name, 0]
            )
            row[4] += 1
        return sorted(rows.values(), key=lambda r: r[3])

    def add_files(self, files: list[Any] | None, progress: Any = None) -> tuple[str, list[list[Any]]]:
        from .index import build_index

        if not files:
            return "Choose one or more .txt, .md or .html files first.", self.corpus_rows()
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        saved, messages = [], []
        for f in files:
            src = Path(getattr(f, "name", f))
            try:
                name = safe_upload_name(getattr(f, "orig_name", None) or src.name)
                size = src.stat().st_size
                if size > self.settings.max_file_bytes:
                    raise UserError(
                        f"{name}: {size / 1e6:.1f} MB is over the {self.settings.max_file_bytes / 1e6:.0f} MB limit"
                    )
                dest = (self.upload_dir / name).resolve()
                if dest.parent != self.upload_dir.resolve():
                    raise UserError(f"{name}: bad file name")
                shutil.copyfile(src, dest)
                saved.append(dest)
            except UserError as exc:
                messages.append(f"❌ rejected {exc}")
        if saved:
            with self.index_lock:
                if progress is not None:
                    progress(0.1, desc=f"Indexing {len(saved)} file(s)…")
                report = build_index(saved, self.settings, say=lambda m: None)
            for path, why in report.skipped:
                messages.append(f"❌ rejected {Path(path).name}: {why}")
                Path(path).unlink(missing_ok=True)
            if report.files_indexed or report.files_unchanged:
                messages.append(f"✅ {report.summary()}")
            self.retriever.refresh(force=True)
        return "\n\n".join(messages), self.corpus_rows()


def _plain(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(_plain(c) for c in content)
    if isinstance(content, dict):
        return str(content.get("text") or content.get("content") or "")
    return str(content)


def _result_dict(r: Any) -> dict[str, Any]:
    out = r.to_json()
    for c, src in zip(out["citations"], r.citations):
        c["abspath"] = src.path
    for p, src in zip(out["retrieved"], r.retrieved):
        p["abspath"] = src.path
    return out


def build_app(settings: Settings) -> Any:
    """The Gradio Blocks app."""
    import gradio as gr

    app = App(settings)

    def api_ask(question: str, history_json: str = "[]", k: int = 5) -> dict[str, Any]:
        """Answer a question. Returns {question, answer, status, citations, retrieved, model, timings_ms}."""
        from .condense import parse_history

        try:
            result = None
            for item in app.ask(question, parse_history(history_json or "[]"), int(k)):
                if isinstance(item, dict):
                    result = item
            return result or {}
        except (UserError, BackendError) as exc:
            raise gr.Error(str(exc)) from None

    def api_retrieve(question: str, k: int = 5) -> dict[str, Any]:
        """Retrieve passages only. Returns {question, passages}."""
        try:
            passages = app.retriever.search(question, int(k))
        except UserError as exc:
            raise gr.Error(str(exc)) from None
        return {"question": question.strip(), "passages": [p.to_json() for p in passages]}

    with gr.Blocks(title="News assistant", fill_height=True) as demo:
        gr.Markdown(
            "## News assistant\nAnswers come only from the indexed articles; every [n] points to an exact passage."
        )
        status = gr.Markdown(app.backend_status(), elem_id="status-line")
        last_result = gr.State(None)
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
                    gr.Examples(EXAMPLES, inputs=box, label="Example questions")
                    with gr.Accordion("Settings", open=False):
                        k = gr.Slider(1, 10, value=settings.k, step=1, label="Passages per question")
                        show_all = gr.Checkbox(False, label="Show all retrieved passages", elem_id="show-all")
                        clear = gr.Button("New conversation")
                with gr.Column(scale=2):
                    gr.Markdown("### Sources")
                    sources = gr.HTML(render_sources(None, False), elem_id="sources")
                    pick = gr.Radio(choices=[], label="Open an article", visible=False, elem_id="open-source")
                    article = gr.HTML("", elem_id="article-view")
        with gr.Tab("Articles"):
            table = gr.Dataframe(
                headers=["title", "publisher", "date", "file", "chunks"],
                value=app.corpus_rows,
                interactive=False,
                elem_id="corpus",
                column_widths=["45%", "18%", "12%", "17%", "8%"],
            )
            upload = gr.File(
                label="Add articles (.txt, .md, .html)",
                file_count="multiple",
                file_types=list(UPLOAD_TYPES),
                elem_id="upload",
            )
            add = gr.Button("Index the uploaded files", elem_id="add-files")
            upload_status = gr.Markdown(elem_id="upload-status")

        def submit(message, hist, k_value, show):
            yield from app.chat(message, hist, k_value, show)

        event_inputs = [box, chatbot, k, show_all]
        event_outputs = [chatbot, sources, pick, last_result]
        for trigger in (box.submit, send.click):
            trigger(
                submit, event_inputs, event_outputs, concurrency_limit=2, concurrency_id="llm", api_visibility="private"
            ).then(lambda: "", None, box, queue=False, api_visibility="private")

        def open_source(choice, result):
            items = openable(result)
            if choice is None or int(choice) >= len(items):
                return ""
            return render_article(items[int(choice)])

        pick.change(open_source, [pick, last_result], article, queue=False, api_visibility="private").then(
            None, None, None, js=SCROLL_JS
        )
        show_all.change(
            lambda r, s: render_sources(r, s), [last_result, show_all], sources, queue=False, api_visibility="private"
        )
        clear.click(
            lambda: ([], render_sources(None, False), gr.update(choices=[], visible=False), None, ""),
            None,
            [chatbot, sources, pick, last_result, article],
            queue=False,
            api_visibility="private",
        )

        def add_files(files, progress=gr.Progress()):  # noqa: B008 (how Gradio injects progress)
            return app.add_files(files, progress)

        add.click(add_files, upload, [upload_status, table], concurrency_limit=1, api_visibility="private")
        gr.Timer(2.0).tick(app.backend_status, None, status, queue=False, api_visibility="private")
        gr.api(api_ask, api_name="ask", concurrency_limit=2, concurrency_id="llm")
        gr.api(api_retrieve, api_name="retrieve", concurrency_limit=8)
    # A full queue answers at once with Gradio's "Queue is full! Please try again." (HTTP 503).
    demo.queue(max_size=settings.queue_size, default_concurrency_limit=4)
    demo.app_state = app  # for tests and scripts
    return demo


def parse_auth(value: str) -> list[tuple[str, str]]:
    """``USER:PASS`` or a file of such lines."""
    path = Path(value)
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else [value]
    pairs = []
    for line in lines:
        if line.strip() and not line.startswith("#"):
            user, sep, password = line.strip().partition(":")
            if not sep or not user or not password:
                raise UserError("--auth takes USER:PASS or a file with one USER:PASS per line")
            pairs.append((user, password))
    if not pairs:
        raise UserError("--auth file has no USER:PASS lines")
    return pairs


def serve(settings: Settings, host: str, port: int, auth: str = "") -> None:
    """Start the server and block."""
    import gradio as gr

    loopback = host in ("127.0.0.1", "localhost", "::1")
    pairs = parse_auth(auth) if auth else None
    if not loopback and not pairs:
        print(f"warning: serving on {host} without --auth: anyone who can reach this machine can use it", flush=True)
    demo = build_app(settings)
    print(f"Open http://{'127.0.0.1' if loopback else host}:{port} in your browser (Ctrl-C to stop)", flush=True)
    demo.launch(
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
