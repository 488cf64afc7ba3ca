"""The chat tab's one turn: question in, streamed answer and its sources out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from assistant.errors import BackendError, UserError
from assistant.ui.render import (
    NOT_FOUND_LABEL,
    UNCERTAIN_LABEL,
    link_markers,
    passages_json,
    plain,
    render_retrieved,
    render_sources,
    result_dict,
    source_choices,
)


def chat_turn(
    app: Any, message: str, chat_history: list[dict[str, Any]], k: float, show_all: bool, filters: Any = None
) -> Iterator[tuple[Any, ...]]:
    """One question in the chat (only from the articles that pass ``filters``): yields (chat,
    sources panel, source picker, result) as the passages are found, as the answer streams,
    and once it is checked."""
    import gradio as gr

    history = [
        {"role": m["role"], "content": plain(m["content"])}
        for m in chat_history or []
        if m.get("role") in ("user", "assistant")
    ]
    chat_history = list(chat_history or []) + [
        {"role": "user", "content": message},
        {"role": "assistant", "content": ""},
    ]
    result: dict[str, Any] | None = None
    try:
        reader = app.stream(message, history, int(k), filters)
        for token in reader:
            if not token and reader.retrieved is not None:  # retrieval done, before the first token
                found = passages_json(reader.retrieved)
                yield chat_history, render_retrieved(found), gr.skip(), gr.skip()
                continue
            chat_history[-1] = {"role": "assistant", "content": reader.text}
            yield chat_history, gr.skip(), gr.skip(), gr.skip()
        result = result_dict(reader.finish())
    except (UserError, BackendError) as exc:
        passages = passages_json(getattr(exc, "passages", []))
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
            markers = {c["marker"] for c in result["citations"]}
            content = link_markers(result["answer"], len(chat_history) - 1, markers)
            if result["status"] == "uncertain":
                content = f"**{UNCERTAIN_LABEL}.** {content}"
            chat_history[-1] = {"role": "assistant", "content": content}
    choices = source_choices(result)
    yield (
        chat_history,
        render_sources(result, show_all),
        gr.update(choices=choices, value=None, visible=bool(choices)),
        result,
    )
