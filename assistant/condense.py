"""Turn a follow-up question into a standalone one, using the chat history.

"What did he say about Japan?" after a turn about Shin Kak-soo becomes
"What did Shin Kak-soo say about Japan?".  The rules are deterministic and
cost no model call: third-person pronouns are replaced by the person the
conversation was last about.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .attribution import NAME, find_speakers, question_speaker
from .errors import UserError

_PRONOUN = re.compile(r"\b(he|she|him|his|her|hers|they|them|their)\b", re.I)
_PERSON_IN_TEXT = re.compile(rf"\b({NAME})\b")
_NOT_PERSON = re.compile(
    r"^(What|Who|When|Where|Why|How|Which|Did|Does|Do|Is|Was|The|South|North|United|U\.S|US|China|Japan|"
    r"Korea|Seoul|Beijing|Tokyo|Washington|NATO|Quad|QUAD|Asia|Europe|Biden administration|Global Times|"
    r"Voice|Indo|Pacific|East|West)\b"
)
_TITLES = {
    "state",
    "councilor",
    "foreign",
    "affairs",
    "minister",
    "secretary",
    "president",
    "defense",
    "defence",
    "deputy",
    "vice",
    "first",
    "chief",
    "director",
    "professor",
    "prof",
    "dr",
    "mr",
    "mrs",
    "ms",
    "general",
    "senator",
    "leader",
    "spokesperson",
    "ambassador",
    "former",
    "prime",
    "national",
    "security",
    "adviser",
}

MAX_TURNS = 50


def parse_history(raw: Any) -> list[dict[str, str]]:
    """Validate a chat history (list of {"role", "content"}); raise :class:`UserError` if malformed."""
    if raw is None:
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise UserError(f"the history is not valid JSON: {exc}") from None
    if not isinstance(raw, list):
        raise UserError('the history must be a JSON list of {"role": ..., "content": ...} objects')
    history = []
    for n, turn in enumerate(raw[-MAX_TURNS:], 1):
        if (
            not isinstance(turn, dict)
            or turn.get("role") not in ("user", "assistant")
            or not isinstance(turn.get("content"), str)
        ):
            raise UserError(f'history entry {n} must be {{"role": "user"|"assistant", "content": str}}')
        history.append({"role": turn["role"], "content": turn["content"][:4000]})
    return history


def _strip_titles(name: str) -> str:
    words = name.split()
    while words and words[0].lower() in _TITLES:
        words = words[1:]
    return " ".join(words)


def _people(text: str) -> list[str]:
    """Likely person names in ``text``, most salient first."""
    names = [question_speaker(text)] + find_speakers(text)
    for m in _PERSON_IN_TEXT.finditer(text):
        cand = _strip_titles(m.group(1))
        if len(cand.split()) >= 2 and not _NOT_PERSON.match(cand):
            names.append(cand)
    return [n for n in (_strip_titles(x) for x in names) if n and not _NOT_PERSON.match(n)]


def condense(question: str, history: list[dict[str, str]]) -> str:
    """A standalone version of ``question`` given the previous turns."""
    if not history or not _PRONOUN.search(question):
        return question
    person = ""
    last_user = [t for t in history if t["role"] == "user"][-1:]
    for turn in last_user + list(reversed(history)):
        people = _people(turn["content"])
        if people:
            person = people[0]
            break
    if not person:
        return question

    def swap(m: re.Match[str]) -> str:
        word = m.group(1).lower()
        if word in ("his", "their", "hers"):
            return f"{person}'s"
        if (
            word == "her"
            and re.match(r"\s+[a-z]", question[m.end() :])
            and not re.match(r"\s+(about|on|to|in|for|with|at)\b", question[m.end() :])
        ):
            return f"{person}'s"
        return person

    return _PRONOUN.sub(swap, question, count=1)
