"""The chat page's Articles tab: what is indexed, and uploads that are indexed at once."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from assistant.ingest.load import FILE_KINDS, SUFFIXES
from assistant.ui.uploads import save_uploads


def corpus_rows(app: Any) -> list[list[Any]]:
    """One row per indexed article: title, publisher, date, file and its number of chunks."""
    if app.retriever is None:
        return []
    app.retriever.refresh()
    rows = [
        [a["title"], a["publisher"], a["date"], os.path.basename(a["source"]), a["chunks"]]
        for a in app.retriever.articles
    ]
    return sorted(rows, key=lambda r: r[3])


def add_files(app: Any, files: list[Any] | None, progress: Any = None) -> tuple[str, list[list[Any]]]:
    """Save the uploaded files, index them, and say what became of each."""
    from assistant.store.build import build_index

    if not files:
        return f"Choose one or more {FILE_KINDS} files first.", corpus_rows(app)
    saved, messages = save_uploads(files, app.upload_dir, app.settings.max_file_bytes)
    if saved:
        with app.index_lock:
            if progress is not None:
                progress(0.1, desc=f"Indexing {len(saved)} file(s)…")
            report = build_index(saved, app.settings, say=lambda m: None)
        for path, why in report.skipped:
            messages.append(f"❌ rejected {Path(path).name}: {why}")
            Path(path).unlink(missing_ok=True)
        if report.files_indexed or report.files_unchanged:
            messages.append(f"✅ {report.summary()}")
        app.refresh_index()
    return "\n\n".join(messages), corpus_rows(app)


def articles_tab(app: Any, empty_note: Any) -> None:
    """The Articles tab (inside the app's ``gr.Blocks``); ``empty_note`` is the page's
    "no articles yet" note, which the first upload clears."""
    import gradio as gr

    with gr.Tab("Articles"):
        table = gr.Dataframe(
            headers=["title", "publisher", "date", "file", "chunks"],
            value=lambda: corpus_rows(app),
            interactive=False,
            elem_id="corpus",
            column_widths=["45%", "18%", "12%", "17%", "8%"],
        )
        upload = gr.File(
            label=f"Add articles ({FILE_KINDS})",
            file_count="multiple",
            file_types=list(SUFFIXES),
            elem_id="upload",
        )
        add = gr.Button("Index the uploaded files", elem_id="add-files")
        status = gr.Markdown(elem_id="upload-status")

    def on_add(files, progress=gr.Progress()):  # noqa: B008 (how Gradio injects progress)
        return (*add_files(app, files, progress), app.empty_note())

    add.click(on_add, upload, [status, table, empty_note], concurrency_limit=1, api_visibility="private")
