"""The chat page's HTML: pure functions from an answer's JSON to escaped markup.

Each cited passage is shown highlighted inside its paragraph, and a whole article
with its span highlighted. Everything rendered from articles is HTML-escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from assistant.ingest.load import FILE_KINDS, source_text
from assistant.retrieve.filters import UNDATED

NOT_FOUND_LABEL = "Not found in the articles"
UNCERTAIN_LABEL = "⚠️ Uncertain"
"""Leads an ``uncertain`` answer in the chat, before its text and the note asking to check it."""
EMPTY_INDEX_NOTE = (
    f"**No articles are indexed yet.** Add {FILE_KINDS} files in the **Articles** tab "
    "(they are indexed at once), or index a folder from a terminal with `assistant index PATH`; "
    "then ask your question here."
)
EMPTY_INDEX_ERROR = (
    f"no articles are indexed yet: add {FILE_KINDS} files in the Articles tab, or run: assistant index PATH"
)

CSS = """
#sources .src {border:1px solid #d0d7de;border-radius:8px;padding:10px 12px;margin:0 0 10px 0}
#sources .src.uncited {opacity:.75;border-style:dashed}
#sources .meta {font-size:.85em;color:#57606a}
#sources .marker {font-weight:700;margin-right:.3em}
#sources mark, #article-view mark, #people-article mark {background:#fff3a3;padding:0 2px;border-radius:2px}
#sources mark .said, #article-view mark .said {font-weight:700;text-decoration:underline;text-decoration-color:#b58900}
#sources .uncertain {background:#fff8e5;border:1px solid #d4a72c;border-radius:8px;padding:8px 12px;margin-bottom:10px}
#sources .notfound {background:#fff4f4;border:1px solid #f0b4b4;border-radius:8px;padding:8px 12px;margin-bottom:10px}
#article-view .article, #people-article .article {white-space:pre-wrap;max-height:480px;overflow:auto;border:1px solid #d0d7de;
  border-radius:8px;padding:12px;line-height:1.5}
#status-line {font-size:.9em;color:#57606a}
#sources .check {color:#1a7f37}
#sources .removed {border-left:3px solid #d4a72c;padding-left:8px;margin-bottom:8px}
#cite-request {display:none !important}
#chat a[href^="#cite-"] {text-decoration:none;font-weight:600}
"""
# A click on a marker in the chat ("[2]", a link to #cite-<message>-<marker>) asks the server,
# through the hidden #cite-request box, to open that passage; the time makes each click new.
CITE_JS = """<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest ? event.target.closest('a[href^="#cite-"]') : null;
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const box = document.querySelector("#cite-request textarea, #cite-request input");
  if (!box) return;
  box.value = link.getAttribute("href").slice(6) + "-" + Date.now();
  box.dispatchEvent(new Event("input", {bubbles: true}));
}, true);
</script>"""
_MARKER = re.compile(r"\[(\d+)\]")
_LINKED = re.compile(r"\[\[(\d+)\]\]\(#cite-[\d-]+\)")
SCROLL_JS = """() => { setTimeout(() => { const m = document.querySelector('#article-view mark');
  if (m) { m.scrollIntoView({block: 'center'}); } }, 150); }"""


def _read(path: str) -> str:
    try:
        return source_text(path)
    except (OSError, UnicodeDecodeError):
        return ""


def _paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    a = text.rfind("\n", 0, start) + 1
    b = text.find("\n", end)
    return a, len(text) if b < 0 else b


def highlight(text: str, start: int, end: int, mark_id: str = "", said: Iterable[tuple[int, int]] = ()) -> str:
    """Escaped ``text`` with ``text[start:end]`` wrapped in ``<mark>``; inside it, the ``said``
    spans (offsets into ``text``: the words the answer states) in ``<b class="said">``."""
    attr = f' id="{mark_id}"' if mark_id else ""
    inner, pos = [], start
    for a, b in sorted(said):
        a, b = max(a, pos), min(b, end)
        if a < b:
            inner += [html.escape(text[pos:a]), f'<b class="said">{html.escape(text[a:b])}</b>']
            pos = b
    inner.append(html.escape(text[pos:end]))
    return html.escape(text[:start]) + f"<mark{attr}>{''.join(inner)}</mark>" + html.escape(text[end:])


def _said(item: dict[str, Any], shift: int = 0) -> list[tuple[int, int]]:
    """The citation's marks (:mod:`assistant.answer.marks`), shifted to a cut of its source."""
    return [(int(m["start"]) - shift, int(m["end"]) - shift) for m in item.get("marks") or []]


def _meta_line(item: dict[str, Any]) -> str:
    """Publisher · date (or "undated") · file, and the page of a PDF's span."""
    parts = [item.get("publisher") or "", item.get("date") or UNDATED, Path(item.get("source", "")).name]
    page = f" · <span class='page'>page {int(item['page'])}</span>" if item.get("page") else ""
    return " · ".join(html.escape(p) for p in parts if p) + page


def source_card(item: dict[str, Any], label: str, cited: bool = True) -> str:
    """One source: title, publisher · date · file, and the span highlighted in its paragraph."""
    text = _read(item.get("abspath") or item["source"])
    start, end = int(item["start"]), int(item["end"])
    if text[start:end] == item["text"]:
        a, b = _paragraph_bounds(text, start, end)
        body = highlight(text[a:b], start - a, end - a, said=_said(item, a))
    else:  # the file changed since indexing: show the stored span only
        body = f"<mark>{html.escape(item['text'])}</mark>"
    cls = "src" if cited else "src uncited"
    support = item.get("support") or {}
    check = ""
    if support:
        what = {"supported": "states the sentence", "value": "states this value"}.get(support.get("verdict"), "quoted")
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
        quotes = result.get("speaker_quotes") or []
        if quotes:
            who = html.escape(quotes[0]["speaker"])
            out.append(
                f"<div class='meta' id='speaker-quotes'>{who} is quoted in the articles, but not on this. What they said:</div>"
            )
            out.extend(source_card(quote_item(q), "“”", cited=False) for q in quotes)
    elif result.get("status") == "uncertain":
        out.append(
            f"<div class='uncertain' id='answer-state'><b>{UNCERTAIN_LABEL}</b> (confidence "
            f"{float(result.get('confidence', 0)):.2f}). The passage may not answer exactly what you asked: "
            "check the words marked in it below.</div>"
        )
    elif result.get("status") == "answered":
        out.append(
            f"<div class='meta' id='answer-state'>Answered · confidence {float(result.get('confidence', 0)):.2f}</div>"
        )
    if result.get("method") == "extracted":
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


def quote_item(q: Any) -> dict[str, Any]:
    """A quote of the quote index (a record or its JSON) in the shape the source cards and
    :func:`render_article` open."""
    d = q if isinstance(q, dict) else q.to_json()
    return {
        "source": d["path"], "abspath": d["path"], "start": d["start"], "end": d["end"], "text": d["text"],
        "title": d.get("title", ""), "publisher": d.get("publisher", ""), "date": d.get("date", ""),
    }  # fmt: skip


def answer_at(answers: dict[int, dict[str, Any]], index: Any) -> dict[str, Any] | None:
    """The result kept for the chat message at ``index`` (an answer, or the question just
    before it); ``index`` as the chat's select event gives it: an int, or a list/tuple
    whose first item is the message's position."""
    if isinstance(index, (list, tuple)):
        index = index[0] if index else None
    if not isinstance(index, int):
        return None
    return answers.get(index) or answers.get(index + 1)


def render_retrieved(passages: list[dict[str, Any]]) -> str:
    """The side panel while the answer is being written: the passages found, none cited yet."""
    head = (
        "<div class='meta' id='pending-sources'>Passages found. The answer is being written; "
        "the ones it cites will be marked when it has been checked.</div>"
    )
    return head + "\n".join(source_card(p, "·", cited=False) for p in passages)


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
        f"<div class='article'>{highlight(text, start, end, 'cited-span', _said(item))}</div>"
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


def link_markers(answer: str, message: int, markers: set[int]) -> str:
    """``answer`` with each cited marker "[n]" a link that opens its passage (see CITE_JS)."""

    def link(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return f"[[{n}]](#cite-{message}-{n})" if n in markers else m.group(0)

    return _MARKER.sub(link, answer)


def cited_request(value: str) -> tuple[int, int] | None:
    """(message index, marker) from the #cite-request box's "<message>-<marker>-<time>"."""
    m = re.fullmatch(r"(\d+)-(\d+)(?:-\d+)?", (value or "").strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def plain(content: Any) -> str:
    """The text of a chat message, whatever shape Gradio gave it (marker links as "[n]")."""
    if isinstance(content, str):
        return _LINKED.sub(r"[\1]", content)
    if isinstance(content, list):
        return " ".join(plain(c) for c in content)
    if isinstance(content, dict):
        return str(content.get("text") or content.get("content") or "")
    return str(content)


def passages_json(passages: Any) -> list[dict[str, Any]]:
    """Retrieved passages as the API's JSON, each with the absolute path the page reads."""
    return [p.to_json() | {"abspath": p.path} for p in passages]


def result_dict(r: Any) -> dict[str, Any]:
    """An AnswerResult as the API's JSON, each passage with the absolute path the page reads."""
    out = r.to_json()
    for c, src in zip(out["citations"], r.citations):
        c["abspath"] = src.path
    out["retrieved"] = passages_json(r.retrieved)
    return out
