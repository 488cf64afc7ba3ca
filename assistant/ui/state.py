"""The web app's state: the models (loaded once per process, the LLM in the background) and
the index, which may be empty at start and filled by uploads."""

from __future__ import annotations

import threading
from typing import Any

from assistant.config import Settings
from assistant.errors import BackendError, IndexMissingError, UserError
from assistant.ui.render import EMPTY_INDEX_ERROR, EMPTY_INDEX_NOTE


class QuotedPeople:
    """Everyone quoted in the indexed articles, grouped once per index version."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._cached: tuple[str, list[Any]] = ("", [])

    def everyone(self, retriever: Any) -> list[Any]:
        from assistant.store.quote_file import quoted_people

        if retriever is None:
            return []
        retriever.refresh()
        if self._cached[0] != retriever.version:
            metas = retriever.metas
            paths = lambda: (str(m["path"]) for m in metas if m.get("path"))  # noqa: E731 - read only when not saved
            self._cached = (retriever.version, quoted_people(self.settings, retriever.version, paths))
        return self._cached[1]


class App:
    """Holds the models (loaded once per process) and the handlers."""

    def __init__(self, settings: Settings) -> None:
        from assistant.retrieve.retriever import Retriever

        self.settings = settings
        self.retriever: Any = None  # None while no article is indexed: the page says how to add some
        self.answerer: Any = None
        self._llm: Any = None
        self._answerer_lock = threading.Lock()
        self.load_error = ""
        self.quoted = QuotedPeople(settings)
        self.upload_dir = settings.index_dir / "uploads"
        self.index_lock = threading.Lock()
        self._ready = threading.Event()
        self._indexed = threading.Event()
        threading.Thread(target=self._load_llm, daemon=True).start()  # the model loads while the index does
        try:
            self.retriever = Retriever(settings)
        except IndexMissingError:
            pass  # no index yet, or an empty one: serve a page that explains how to add articles
        except BaseException:
            self._indexed.set()
            self._ready.wait()  # llama.cpp silences stdout and stderr while it loads; let the error be seen
            raise
        self._indexed.set()

    def _load_llm(self) -> None:
        from assistant.answer.generate import Generator
        from assistant.llm import describe, get_llm

        try:
            llm = get_llm(self.settings, say=lambda m: None)
            generator = Generator(llm, describe(self.settings))
            generator.warm_up(self.settings.cache_dir)
            self._indexed.wait()
            if self.retriever is None:
                generator.wait()  # llama.cpp silences stdout/stderr while it warms up; an error must be seen
            self._llm = llm
            self._connect()
        except Exception as exc:  # shown in the page, not a stack trace
            self.load_error = str(exc)
        finally:
            self._ready.set()

    def _connect(self) -> None:
        """Make the answerer once both the model and an index are there (either may come last)."""
        from assistant.answer.answerer import Answerer

        with self._answerer_lock:
            if self.answerer is None and self._llm is not None and self.retriever is not None:
                self.answerer = Answerer(self.settings, retriever=self.retriever, llm=self._llm, say=lambda m: None)

    def empty_note(self) -> str:
        """What the page says while no article is indexed ("" once there are some)."""
        return EMPTY_INDEX_NOTE if self.retriever is None else ""

    def wait_ready(self, timeout: float = 600) -> None:
        """Wait until the language model has loaded (or failed to)."""
        self._ready.wait(timeout)

    def backend_status(self) -> str:
        from assistant.llm import describe

        if self.load_error:
            state = "failed: " + self.load_error
        elif self.retriever is None and self._llm is not None:
            state = "ready; no articles indexed yet"
        else:
            state = "ready" if self.answerer else "loading…"
        return f"LLM: `{describe(self.settings)}` ({state}) · passages per question: {self.settings.k}"

    # -- chat ------------------------------------------------------------
    def stream(
        self, question: str, history: list[dict[str, str]] | None = None, k: int | None = None, filters: Any = None
    ) -> Any:
        """A :class:`~assistant.answer.answerer.StreamReader` over the answer; an error while the model is not ready."""
        from assistant.answer.result import StreamReader

        self._opened()
        if self.answerer is None:
            if self.load_error:
                raise BackendError(f"the language model could not be loaded: {self.load_error}")
            raise BackendError("the language model is still loading; try again in a few seconds")
        return StreamReader(self.answerer.stream(question, history, k, filters))

    def _opened(self) -> Any:
        """The retriever; a clear error while no article is indexed."""
        if self.retriever is None:
            raise UserError(EMPTY_INDEX_ERROR)
        return self.retriever

    def search(self, question: str, k: int | None = None, filters: Any = None) -> list[Any]:
        """Passages for ``question`` within ``filters``."""
        return self._opened().search(question, k, filters)

    def source_choices(self) -> list[str]:
        """Publishers and folders a question can be restricted to (none while nothing is indexed)."""
        return self.retriever.source_choices() if self.retriever is not None else []

    def people(self) -> list[Any]:
        """Everyone quoted in the indexed articles, most quoted first (re-grouped only when indexing
        changed them)."""
        return self.quoted.everyone(self.retriever)

    def examples(self, n: int = 4) -> list[str]:
        """Example questions that fit the indexed folder, drawn from the quote index."""
        from assistant.ui.people import example_questions

        return example_questions(self.people(), self.retriever.idf, n) if self.retriever is not None else []

    def refresh_index(self) -> None:
        """See what indexing changed; the first articles of an empty index open it."""
        from assistant.retrieve.retriever import Retriever

        if self.retriever is not None:
            self.retriever.refresh(force=True)
            return
        try:
            self.retriever = Retriever(self.settings)
        except IndexMissingError:
            return  # every file was rejected: still empty
        self._connect()
