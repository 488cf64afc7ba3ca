"""Generation: the numbered evidence and the question go to the LLM; tokens stream back.

After the answer, :meth:`Generator.verify` can show the same model only the cited spans and
the question, and read its probability of "yes, they answer it" (backends that expose token
probabilities only).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage
from langchain_core.prompts import ChatPromptTemplate

from assistant.answer.evidence import Evidence, label
from assistant.config import read_prompt
from assistant.errors import BackendError, UserError


def not_found_sentence() -> str:
    """The exact sentence the model is told to write when the passages do not answer."""
    return read_prompt("not_found").strip()


@dataclass
class Generation:
    """What the model wrote, with its token log-probabilities and timing."""

    text: str = ""
    logprobs: list[float] = field(default_factory=list)
    first_token: float | None = None

    @property
    def refused(self) -> bool:
        """The model wrote the not-found sentence (or nothing)."""
        norm = " ".join(self.text.split()).strip().lower()
        return not norm or norm.rstrip(".") == not_found_sentence().lower().rstrip(".")


class Generator:
    """Builds the prompt from evidence and streams the model's answer."""

    def __init__(self, llm: Any, model_name: str, system_prompt: str = "answer_system") -> None:
        self.llm = llm
        self.model_name = model_name
        self.prompt = ChatPromptTemplate.from_messages(
            [("system", read_prompt(system_prompt)), ("human", read_prompt("answer_user"))]
        )
        self.passage_template = read_prompt("passage").strip()
        self.verify_template = read_prompt("verify").strip()

    def wait(self) -> None:
        """Wait for a background :meth:`warm_up` to finish (nothing to wait for otherwise)."""
        wait = getattr(self.llm, "wait_ready", None)
        if wait is not None:
            wait()

    def messages(self, question: str, evidence: list[Evidence]) -> list[BaseMessage]:
        """The answer prompt; a template in ``prompts/`` with an unknown placeholder is a UserError."""
        try:
            passages = "\n".join(
                self.passage_template.format(n=e.n, label=label(e), text=" ".join(e.text.split())) for e in evidence
            )
            return self.prompt.format_messages(passages=passages, question=question, not_found=not_found_sentence())
        except (KeyError, IndexError, ValueError) as exc:
            raise _template_error(exc) from None

    def warm_up(self, cache_dir: Path) -> None:
        """Let a backend that can (the embedded model) load itself and the prompt's fixed
        prefix in the background, from two prompts that differ only in passages and question."""
        warm = getattr(self.llm, "warm_up", None)
        if warm is not None:
            samples = [
                self.prompt.format_messages(passages=p, question=q, not_found=not_found_sentence())
                for p, q in (("[1] A.", "B?"), ("[2] C D.", "E F?"))
            ]
            warm(samples, cache_dir)

    def stream(self, question: str, evidence: list[Evidence], out: Generation) -> Iterator[str]:
        """Yield tokens as they arrive; ``out`` collects the text, log-probabilities and timing."""
        messages = self.messages(question, evidence)
        try:
            for chunk in self.llm.stream(messages):
                out.logprobs.extend(chunk.response_metadata.get("logprobs", []))
                token = str(chunk.content)
                if not token:
                    continue
                if out.first_token is None:
                    out.first_token = time.perf_counter()
                out.text += token
                yield token
        except BackendError:
            raise
        except Exception as exc:  # connection refused, HTTP errors, timeouts
            raise BackendError(f"the LLM backend ({self.model_name}) failed: {type(exc).__name__}: {exc}") from None

    def verify(self, question: str, cited: list[Evidence]) -> float | None:
        """The model's probability that the cited spans answer ``question``, asked in a fresh
        short prompt that shows only those spans and the question (not the model's own answer,
        which it tends to confirm); ``None`` when the backend cannot give token probabilities."""
        ask = getattr(self.llm, "yes_probability", None)
        if ask is None or not cited:
            return None
        text = " ".join(" ".join(e.text.split()) for e in cited)
        try:
            prompt = self.verify_template.format(text=text, question=question)
        except (KeyError, IndexError, ValueError) as exc:
            raise _template_error(exc) from None
        try:
            p = ask([HumanMessage(prompt)])
        except BackendError:
            raise
        except Exception as exc:
            raise BackendError(f"the LLM backend ({self.model_name}) failed to verify: {exc}") from None
        return None if p is None else float(p)


def _template_error(exc: Exception) -> UserError:
    return UserError(f"a prompt template in prompts/ does not fit its fields ({type(exc).__name__}: {exc})")
