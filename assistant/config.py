"""All settings in one place: environment variables, overridden by CLI flags.

Every default works offline on a laptop.  ``apply_offline_env`` must run before
any heavy library (transformers, chromadb, gradio) is imported.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import UserError
from .policy import Policy

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROMPTS_DIR = PROJECT_ROOT / "prompts"

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "CHROMA_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
}


def apply_offline_env() -> None:
    """Force offline mode and disable telemetry for every library we load."""
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _number(name: str, default: float, minimum: float, kind: type = int) -> float:
    """``name`` read as a ``kind`` of at least ``minimum``; a bad value is a one-line UserError."""
    raw = _env(name, str(default))
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or value < minimum:
        what = "a whole number" if kind is int else "a number"
        raise UserError(f"{name} must be {what} ≥ {minimum:g}, not {raw!r}")
    return value


def positive_int(text: str) -> int:
    """argparse type for counts such as ``--k``: a whole number ≥ 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number ≥ 1, not {text!r}")
    return value


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "news-assistant"


@dataclass(frozen=True)
class Settings:
    """Runtime settings. Build with :meth:`from_env`, then ``with_(...)`` for flags."""

    index_dir: Path = PROJECT_ROOT / "index"
    chroma_url: str = ""
    collection: str = "articles"
    corpus_dir: Path = PROJECT_ROOT / "seeds"
    cache_dir: Path = field(default_factory=_default_cache_dir)
    k: int = 5
    max_question_chars: int = 2000
    max_file_bytes: int = 5 * 1024 * 1024
    chunk_chars: int = 420
    llm: str = "llamacpp"
    llm_model: str = ""
    llm_base_url: str = ""
    llm_api_key: str = field(default="", repr=False)
    n_ctx: int = 4096
    n_threads: int = 0
    max_tokens: int = 320
    queue_size: int = 32
    policy_file: Path | None = None
    auth: str = field(default="", repr=False)  # USER:PASS or a file of them, for serve
    quiet: bool = False

    @classmethod
    def from_env(cls) -> Settings:
        """Read ``ASSISTANT_*`` variables (and the usual OpenAI/Ollama ones)."""
        d = cls()
        return cls(
            index_dir=Path(_env("ASSISTANT_INDEX_DIR", str(d.index_dir))),
            chroma_url=_env("ASSISTANT_CHROMA_URL", ""),
            collection=_env("ASSISTANT_COLLECTION", d.collection),
            corpus_dir=Path(_env("ASSISTANT_CORPUS_DIR", str(d.corpus_dir))),
            cache_dir=Path(_env("ASSISTANT_CACHE_DIR", str(d.cache_dir))),
            k=_number("ASSISTANT_K", d.k, 1),
            max_file_bytes=int(_number("ASSISTANT_MAX_FILE_MB", 5, 0.001, float) * 1024 * 1024),
            chunk_chars=_number("ASSISTANT_CHUNK_CHARS", d.chunk_chars, 100),
            llm=_env("ASSISTANT_LLM", d.llm),
            llm_model=_env("ASSISTANT_LLM_MODEL", ""),
            llm_base_url=_env("ASSISTANT_LLM_BASE_URL", ""),
            llm_api_key=_env("ASSISTANT_LLM_API_KEY", os.environ.get("OPENAI_API_KEY", "")),
            n_ctx=_number("ASSISTANT_N_CTX", d.n_ctx, 512),
            n_threads=_number("ASSISTANT_THREADS", 0, 0),
            max_tokens=_number("ASSISTANT_MAX_TOKENS", d.max_tokens, 1),
            queue_size=_number("ASSISTANT_QUEUE_SIZE", d.queue_size, 1),
            policy_file=Path(_env("ASSISTANT_POLICY", "")) if _env("ASSISTANT_POLICY", "") else None,
            auth=_env("ASSISTANT_AUTH", ""),
            quiet=_env("ASSISTANT_QUIET", "") not in ("", "0", "false", "False")
            or _env("CI", "") not in ("", "0", "false", "False"),
        )

    def load_policy(self) -> Policy:
        """The calibrated defaults, overridden by ``policy_file`` when one is set."""
        return Policy.from_file(self.policy_file) if self.policy_file else Policy()

    def with_(self, **changes: object) -> Settings:
        """Copy with the given fields replaced; ``None`` values are ignored."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def read_prompt(name: str) -> str:
    """Return the text of ``prompts/<name>.txt``."""
    return (PROMPTS_DIR / f"{name}.txt").read_text(encoding="utf-8")
