"""All settings in one place: environment variables, overridden by CLI flags.

Every default works offline on a laptop; :mod:`assistant.offline` turns off the network and
telemetry of every library when the package is imported.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from assistant.errors import UserError
from assistant.policy import Policy

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
# A source checkout (or an editable install of one) has pyproject.toml beside the package and
# keeps its index, seeds and prompts there. An installed wheel carries the prompts inside the
# package (pyproject.toml maps prompts/ to assistant/prompts) and keeps its index in the
# user's data folder, so it works from any directory.
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file()
PROMPTS_DIR = PROJECT_ROOT / "prompts" if IN_CHECKOUT else PACKAGE_DIR / "prompts"


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


def _default_home() -> Path:
    """Where the index and articles live by default: the checkout, or the user's data folder."""
    if IN_CHECKOUT:
        return PROJECT_ROOT
    return Path(os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")) / "news-assistant"


@dataclass(frozen=True)
class EnvVar:
    """One environment setting, documented once: `--help` and the README table come from here."""

    name: str
    default: str
    meaning: str
    flag: str = ""


ENV_VARS: tuple[EnvVar, ...] = (
    EnvVar(
        "ASSISTANT_INDEX_DIR",
        "`index/` in a checkout, else `~/.local/share/news-assistant/index`",
        "embedded Chroma store",
        "--index-dir",
    ),
    EnvVar(
        "ASSISTANT_CHROMA_URL",
        "–",
        "a Chroma server instead, e.g. `http://127.0.0.1:8000`; start one with "
        "`chroma run --path DIR --host 127.0.0.1 --port 8000`",
        "--chroma-url",
    ),
    EnvVar("ASSISTANT_COLLECTION", "`articles`", "Chroma collection name"),
    EnvVar(
        "ASSISTANT_CORPUS_DIR",
        "`seeds/` in a checkout, else `~/.local/share/news-assistant/articles`",
        "what `assistant index` indexes when given no path",
    ),
    EnvVar(
        "ASSISTANT_LLM",
        "`llamacpp`",
        "`llamacpp` (embedded, offline), `openai` (any OpenAI-compatible server: "
        "vLLM, llama.cpp server, LM Studio, OpenAI) or `ollama`",
        "--llm",
    ),
    EnvVar("ASSISTANT_LLM_MODEL", "embedded Qwen", "model name, or a GGUF path for `llamacpp`", "--model"),
    EnvVar(
        "ASSISTANT_LLM_BASE_URL", "–", "server URL for `openai`/`ollama`, e.g. `http://127.0.0.1:8080/v1`", "--base-url"
    ),
    EnvVar("ASSISTANT_LLM_API_KEY", "`OPENAI_API_KEY`", "API key for the `openai` backend"),
    EnvVar("ASSISTANT_K", "5", "passages retrieved per question", "--k"),
    EnvVar(
        "ASSISTANT_POLICY",
        "–",
        "JSON file overriding thresholds of retrieval, support and refusal; `assistant policy` lists them all",
        "--policy",
    ),
    EnvVar("ASSISTANT_MAX_FILE_MB", "5", "largest article accepted"),
    EnvVar("ASSISTANT_CHUNK_CHARS", "420", "target chunk size in characters; a change re-embeds at the next index"),
    EnvVar("ASSISTANT_INDEX_BATCH", "512", "chunks embedded and written per step; a killed run loses at most one step"),
    EnvVar("ASSISTANT_N_CTX", "4096", "context window of the embedded model"),
    EnvVar("ASSISTANT_THREADS", "0 (all cores)", "CPU threads of the embedded model"),
    EnvVar("ASSISTANT_MAX_TOKENS", "320", "longest answer, in tokens"),
    EnvVar(
        "ASSISTANT_SERVER",
        "–",
        "a running `assistant serve` (e.g. `http://127.0.0.1:7860`) that `ask` and "
        "`retrieve` send questions to instead of loading the models; if none answers there, or it runs with "
        "another index or policy, they answer in-process",
        "--server",
    ),
    EnvVar("ASSISTANT_AUTH", "–", "`USER:PASS`, or a file of such lines, required by `serve`", "--auth"),
    EnvVar(
        "ASSISTANT_QUEUE_SIZE",
        "32",
        'requests the web server queues; beyond that callers get "Queue is full! Please try again." at once',
    ),
    EnvVar(
        "ASSISTANT_EMBED_BACKEND",
        "`auto`",
        "how questions are embedded: `onnx` (onnxruntime over a one-time "
        "export of the packaged weights; starts ~4 s sooner), `torch`, or `auto` (onnx when the export can be "
        "made, else torch); indexing uses onnx once the export is cached, else torch",
    ),
    EnvVar(
        "ASSISTANT_CACHE_DIR",
        "`~/.cache/news-assistant`",
        "where the assembled GGUF, the ONNX export and the model's prompt-prefix state are kept",
    ),
    EnvVar("ASSISTANT_QUIET", "off (on when `CI` is set)", "no progress output", "--quiet"),
)


def settings_help() -> str:
    """The settings part of `assistant --help`: each variable, its flag and its default."""
    width = max(len(v.name) for v in ENV_VARS) + 2
    lines = ["Settings come from flags or environment variables (flags win):"]
    for v in ENV_VARS:
        extra = [v.flag] if v.flag else []
        if v.default != "–":
            extra.append(f"default {v.default}")
        lines.append(f"  {v.name:<{width}}{v.meaning}".replace("`", "") + (f" [{'; '.join(extra)}]" if extra else ""))
    return "\n".join(lines).replace("`", "")


def settings_table() -> str:
    """The README's settings table (`python -m assistant.config` prints it)."""
    rows = ["| variable | flag | default | meaning |", "| --- | --- | --- | --- |"]
    for v in ENV_VARS:
        rows.append(f"| `{v.name}` | {f'`{v.flag}`' if v.flag else '–'} | {v.default} | {v.meaning} |")
    return "\n".join(rows)


@dataclass(frozen=True)
class Settings:
    """Runtime settings. Build with :meth:`from_env`, then ``with_(...)`` for flags."""

    index_dir: Path = field(default_factory=lambda: _default_home() / "index")
    chroma_url: str = ""
    collection: str = "articles"
    corpus_dir: Path = field(default_factory=lambda: _default_home() / ("seeds" if IN_CHECKOUT else "articles"))
    cache_dir: Path = field(default_factory=_default_cache_dir)
    k: int = 5
    max_question_chars: int = 2000
    max_file_bytes: int = 5 * 1024 * 1024
    chunk_chars: int = 420
    index_batch: int = 512
    embed_backend: str = "auto"
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
    server: str = ""  # URL of a running `assistant serve` for ask/retrieve
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
            index_batch=_number("ASSISTANT_INDEX_BATCH", d.index_batch, 1),
            embed_backend=_env("ASSISTANT_EMBED_BACKEND", d.embed_backend),
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
            server=_env("ASSISTANT_SERVER", ""),
            quiet=_env("ASSISTANT_QUIET", "") not in ("", "0", "false", "False")
            or _env("CI", "") not in ("", "0", "false", "False"),
        )

    def load_policy(self) -> Policy:
        """The calibrated defaults, overridden by ``policy_file`` when one is set."""
        return Policy.from_file(self.policy_file) if self.policy_file else Policy()

    def with_(self, **changes: object) -> Settings:
        """Copy with the given fields replaced; ``None`` values are ignored."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


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


def check_question(question: str, settings: Settings) -> str:
    """Validate a question; return it stripped or raise :class:`UserError`."""
    if not isinstance(question, str):
        raise UserError("the question must be text")
    q = question.replace("\x00", " ").strip()
    if not q:
        raise UserError("the question is empty; ask something about the articles")
    if len(q) > settings.max_question_chars:
        raise UserError(f"the question is {len(q):,} characters long; the limit is {settings.max_question_chars:,}")
    return q


def read_prompt(name: str) -> str:
    """Return the text of ``prompts/<name>.txt``."""
    return (PROMPTS_DIR / f"{name}.txt").read_text(encoding="utf-8")


if __name__ == "__main__":
    print(settings_table())
