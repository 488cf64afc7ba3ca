"""Turn a follow-up question into a standalone one, using the chat history.

"What did he say about Japan?" after a turn about a quoted person becomes
"What did <that person> say about Japan?".  The rules are deterministic and
cost no model call: personal pronouns are replaced by the person the
conversation was last about, never by an organisation or place.
"""

from __future__ import annotations

import json
from typing import Any

import regex as re  # NAME uses Unicode letter classes

from assistant.errors import UserError
from assistant.ingest.attribution import NAME, bare_name, find_speakers, question_speaker
from assistant.store.bm25 import tokenize

_PERSONAL = re.compile(r"\b(he|she|him|his|her|hers)\b", re.I)
_PLURAL = re.compile(r"\b(they|them|their)\b", re.I)
# A reference to a thing: "What did it cost?", "When was that?", "Who signed this?".
# "the previous one", "that one": a thing named only in an earlier turn, whatever the length.
_ONE = re.compile(r"\b(?:the|that|this)\s+(?:(?:previous|last|next|same|other|earlier|latest|first)\s+)?one\b", re.I)
_THING = re.compile(r"\b(it|its|that|this|these|those|there)\b(?!\s+(?:is|was|are|were)\s+\w+ing\b)", re.I)
_PERSON_IN_TEXT = re.compile(rf"\b({NAME})\b")
_QUESTION_WORDS = re.compile(r"^(What|Who|Whom|Whose|When|Where|Why|How|Which|Did|Does|Do|Is|Was|Are|Were|The)\b")
# Generic English words that mark a name as an organisation, publication or place, not a person.
_NOT_A_PERSON_WORDS = {
    "union",
    "nations",
    "states",
    "republic",
    "kingdom",
    "ministry",
    "council",
    "party",
    "times",
    "news",
    "post",
    "journal",
    "daily",
    "herald",
    "tribune",
    "press",
    "magazine",
    "review",
    "agency",
    "department",
    "government",
    "administration",
    "institute",
    "university",
    "college",
    "school",
    "association",
    "committee",
    "organization",
    "organisation",
    "forces",
    "army",
    "navy",
    "bank",
    "company",
    "corporation",
    "group",
    "forum",
    "alliance",
    "treaty",
    "office",
    "court",
    "commission",
    "parliament",
    "congress",
    "senate",
    "house",
    "service",
    "center",
    "centre",
    "foundation",
    "network",
    "broadcasting",
    "league",
    "federation",
    "summit",
    "sea",
    "ocean",
    "peninsula",
    "strait",
    "island",
    "islands",
    "river",
    "city",
    "province",
    "region",
    "north",
    "south",
    "east",
    "west",
    "northern",
    "southern",
    "eastern",
    "western",
    "central",
    "new",
    "pacific",
    "atlantic",
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


def is_person_like(name: str, text: str = "") -> bool:
    """False for names that read as an organisation, publication or place.

    A word such as "Union", "Times" or "North" in the name, or "the" before it in
    ``text`` ("the European Union said"), marks it as not a person.
    """
    words = name.split()
    if not words or _QUESTION_WORDS.match(name) or {w.lower().strip(".") for w in words} & _NOT_A_PERSON_WORDS:
        return False
    return not (text and re.search(rf"\bthe\s+{re.escape(name)}", text, re.I))


def _names(text: str) -> list[str]:
    """Names that ``text`` asks about or attributes speech to, most salient first."""
    names = [question_speaker(text)] + find_speakers(text)
    for m in _PERSON_IN_TEXT.finditer(text):
        cand = bare_name(m.group(1))
        if len(cand.split()) >= 2:
            names.append(cand)
    return [n for n in (bare_name(x) for x in names) if n and not _QUESTION_WORDS.match(n)]


def _last(history: list[dict[str, str]], want_person: bool) -> str:
    """The name the conversation was last about: a person for he/she, anyone for they."""
    last_user = [t for t in history if t["role"] == "user"][-1:]
    for turn in last_user + list(reversed(history)):
        for name in _names(turn["content"]):
            if not want_person or is_person_like(name, turn["content"]):
                return name
    return ""


def _names_someone(question: str) -> bool:
    """True when the question already names whom it is about ("What did Biden say about his trip?").

    The asked-about speaker counts, and any other full name (two words or more) that reads as a person.
    """
    if question_speaker(question):
        return True
    names = (bare_name(m.group(1)) for m in _PERSON_IN_TEXT.finditer(question))
    return any(len(n.split()) >= 2 and is_person_like(n, question) for n in names)


def condense(question: str, history: list[dict[str, str]]) -> str:
    """A standalone version of ``question`` given the previous turns.

    he/she/his/her → the person last asked about (never an organisation); they/their →
    the person or organisation last asked about; a question that already names someone
    keeps its pronouns (they refer to that name). A reference to a thing ("What did it
    cost?", "How long since the previous one?") that no rule can resolve carries the previous
    question along, so retrieval and the model see what "it" was about.
    """
    if not history:
        return question
    personal, plural = _PERSONAL.search(question), _PLURAL.search(question)
    if (personal or plural) and not _names_someone(question):
        person = _last(history, want_person=bool(personal))
        if person:
            return (_PERSONAL if personal else _PLURAL).sub(lambda m: _swap(m, person, question), question, count=1)
    # Only a short question leans on "it"/"that" for its subject ("What did it cost?"); in a
    # longer one ("When did the talks that began in 2010 end?") the word is not a reference.
    short_reference = _THING.search(question) and len(tokenize(question)) <= 3
    if (short_reference or _ONE.search(question)) and not _names_someone(question):
        previous = [t["content"] for t in history if t["role"] == "user"][-1:]
        if previous and previous[0].strip() != question.strip():
            return f"{question.rstrip()} (following up on: {previous[0].strip()})"
    return question


def _swap(m: re.Match[str], person: str, question: str) -> str:
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
