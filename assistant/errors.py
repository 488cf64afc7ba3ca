"""Errors that the CLI and UI turn into one clear line (exit code 2 on the CLI)."""


class UserError(Exception):
    """Bad input from the user: an empty question, a missing file, a bad flag."""


class SetupError(UserError):
    """Something to install or repair: a missing model package, a bad checksum."""


class IndexMissingError(UserError):
    """The index has not been built yet."""


class BackendError(Exception):
    """The LLM backend failed or cannot be reached; ``passages`` holds what was retrieved."""

    def __init__(self, message: str, passages: list | None = None) -> None:
        super().__init__(message)
        self.passages = passages or []
