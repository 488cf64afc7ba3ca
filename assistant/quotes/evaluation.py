"""Score the quote finder against hand labels: precision and recall of speaker and span.

A label file holds one JSON object per line: ``{"file": ..., "speakers": [...], "start": ...,
"end": ..., "text": ...}`` with ``text == file_text[start:end]`` (several speakers when the
article attributes the words to all of them).  A found quote *matches* a label of the same
file when their character spans overlap by at least ``MIN_OVERLAP`` of their union (each label
and each found quote is matched at most once, best overlap first).  Then:

* span precision / recall: matched found quotes / all found, matched labels / all labels;
* exact spans: matched pairs whose ``start`` and ``end`` are identical;
* speaker precision / recall: matched pairs whose speaker is one of the label's (same person,
  name variants allowed), over all found quotes / all labels.

A *sampled* label file (every label ``"sampled": true``, as ``eval/quotes/reuters.jsonl``) holds
a random sample of the quotes found, each with who really says it (``[]``: nobody named). Its
speaker precision is over the sampled quotes still found, and stricter: the found name must be
the label's or a shorter form of it ("Reagan" for "Ronald Reagan", never "Reagan Admits Iran
Arms" for "Reagan").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.errors import UserError
from assistant.ingest.attribution import bare_name, name_parts, same_person
from assistant.quotes.people import article_quotes

MIN_OVERLAP = 0.5


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


LABEL_FIELDS = ("file", "start", "end", "text", "speakers")
"""What each hand label holds: the article file, the quote's offsets and text, and who says it."""


def load_labels(path: Path, articles: Path | None = None) -> list[dict[str, Any]]:
    """The labels of ``path``, each with the ``path`` of its article: the label's ``file`` as
    it is, under ``articles``, beside the label file, or under the working directory."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        labels = [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read quote labels {path}: {exc}") from None
    base = Path(path).resolve().parent
    for n, lab in enumerate(labels, 1):
        missing = [k for k in LABEL_FIELDS if not isinstance(lab, dict) or k not in lab]
        if missing:
            raise UserError(f"{path}: label {n} needs {', '.join(missing)} (fields: {', '.join(LABEL_FIELDS)})")
        f = Path(lab["file"])
        for root in ([articles] if articles else []) + [base, Path.cwd()]:
            if f.is_file():
                break
            f = root / lab["file"]
        lab["path"] = str(f.resolve())
    return labels


def _strictly(found: str, wanted: list[str]) -> bool:
    """The found name is one of ``wanted`` or a shorter form of one (its parts all theirs)."""
    parts = name_parts(bare_name(found))
    return bool(parts) and any(parts <= name_parts(w) for w in wanted)


def score_sampled(labels: list[dict[str, Any]]) -> dict[str, Any]:
    """Speaker precision over a random sample of found quotes (see the module's docstring)."""
    right = found = 0
    misses = []
    for lab in labels:
        quotes = article_quotes(lab["path"])
        best = max(quotes, key=lambda q: _overlap((lab["start"], lab["end"]), (q.start, q.end)), default=None)
        if best is None or _overlap((lab["start"], lab["end"]), (best.start, best.end)) < MIN_OVERLAP:
            continue  # no longer found as a quote
        found += 1
        if _strictly(best.speaker, lab["speakers"]):
            right += 1
        else:
            misses.append({"file": lab["file"], "text": lab["text"][:80], "want": lab["speakers"], "got": best.speaker})
    return {"sampled": len(labels), "still_found": found, "speaker_precision": round(right / found, 3) if found else 0.0,
            "misses": misses}  # fmt: skip


def score(labels: list[dict[str, Any]]) -> dict[str, Any]:
    """Match the quotes found in each labelled file against its labels."""
    if labels and all(lab.get("sampled") for lab in labels):
        return score_sampled(labels)
    found_total = labels_total = matched = exact = speaker_ok = 0
    misses: list[dict[str, Any]] = []
    for path in dict.fromkeys(lab["path"] for lab in labels):
        gold = [lab for lab in labels if lab["path"] == path]
        found = article_quotes(path)
        found_total += len(found)
        labels_total += len(gold)
        pairs = sorted(
            (
                (_overlap((g["start"], g["end"]), (q.start, q.end)), i, j)
                for i, g in enumerate(gold)
                for j, q in enumerate(found)
            ),
            reverse=True,
        )
        used_g: set[int] = set()
        used_q: set[int] = set()
        for ov, i, j in pairs:
            if ov < MIN_OVERLAP or i in used_g or j in used_q:
                continue
            used_g.add(i)
            used_q.add(j)
            matched += 1
            g, q = gold[i], found[j]
            exact += (g["start"], g["end"]) == (q.start, q.end)
            if any(same_person(q.speaker, s) for s in g["speakers"]):
                speaker_ok += 1
            else:
                misses.append({"file": g["file"], "text": g["text"][:80], "want": g["speakers"], "got": q.speaker})
        misses += [{"file": gold[i]["file"], "text": gold[i]["text"][:80], "want": gold[i]["speakers"], "got": None}
                   for i in range(len(gold)) if i not in used_g]  # fmt: skip
        misses += [{"file": gold[0]["file"], "text": found[j].text[:80], "want": None, "got": found[j].speaker}
                   for j in range(len(found)) if j not in used_q]  # fmt: skip

    def ratio(a: int, b: int) -> float:
        return round(a / b, 3) if b else 0.0

    return {
        "labels": labels_total,
        "found": found_total,
        "span_precision": ratio(matched, found_total),
        "span_recall": ratio(matched, labels_total),
        "exact_spans": ratio(exact, matched),
        "speaker_precision": ratio(speaker_ok, found_total),
        "speaker_recall": ratio(speaker_ok, labels_total),
        "misses": misses,
    }
