"""The exact words of a citation: the phrases an answer sentence shares with its cited span.

Inside each highlighted passage, the reader sees which words the answer states. These
are the longest runs of words that the sentence and the span share, in order, cut at
punctuation
(:class:`difflib.SequenceMatcher` over lower-cased words). A run counts only when it holds a
content word, not just "the" or "of". Each mark is a pair of exact offsets into the source:
``source_text(path)[start:end]`` is the marked text.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from assistant.ingest.lexicon import FUNCTION_WORDS, STOPWORDS

WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
"""A word: letters and digits of any script, with inner hyphens and apostrophes."""


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0).lower().replace("’", "'"), m.start(), m.end()) for m in WORD.finditer(text)]


def _content(word: str) -> bool:
    return word not in FUNCTION_WORDS and word not in STOPWORDS and (len(word) > 2 or word.isdigit())


def shared_phrases(sentence: str, span: str, offset: int = 0) -> list[tuple[int, int]]:
    """The runs of words ``sentence`` shares with ``span``, as ``(start, end)`` offsets of
    ``span`` plus ``offset`` (the span's start in its source), in the span's order."""
    said, held = _words(sentence), _words(span)
    matcher = difflib.SequenceMatcher(None, [w for w, _, _ in said], [w for w, _, _ in held], autojunk=False)
    out = []
    for block in matcher.get_matching_blocks():
        for run in _phrases(span, held[block.b : block.b + block.size]):
            if any(_content(w) for w, _, _ in run):
                out.append((offset + run[0][1], offset + run[-1][2]))
    return out


def _phrases(span: str, run: list[tuple[str, int, int]]) -> list[list[tuple[str, int, int]]]:
    """``run`` cut wherever something other than white space stands between two words
    ("Berg, said" is two phrases), so that a mark is words the sentence states as they stand."""
    out: list[list[tuple[str, int, int]]] = []
    for word in run:
        if out and not span[out[-1][-1][2] : word[1]].strip():
            out[-1].append(word)
        else:
            out.append([word])
    return out


def merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans joined, in order."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out
