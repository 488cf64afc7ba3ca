"""Articles added through the web page: safe names, and the same checks as `assistant index`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from assistant.errors import UserError
from assistant.ingest.load import FILE_KINDS, SUFFIXES, LoadError, check_file


def safe_upload_name(name: str) -> str:
    """A file name with no directories or odd characters; raise :class:`UserError` if unusable."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^\w.-]+", "_", base).lstrip("._")
    if not base or Path(base).suffix.lower() not in SUFFIXES:
        raise UserError(f"{Path(name).name or name!r}: only {FILE_KINDS} articles can be added")
    return base[:120]


def save_uploads(files: list[Any], folder: Path, max_bytes: int) -> tuple[list[Path], list[str]]:
    """Copy uploaded files into ``folder``; return the saved paths and a message per rejected file.

    Each file passes :func:`assistant.ingest.load.check_file` (type and size) before it is copied;
    its content is checked when it is indexed, like any other article.
    """
    folder.mkdir(parents=True, exist_ok=True)
    saved, rejected = [], []
    for f in files:
        src = Path(getattr(f, "name", f))
        try:
            name = safe_upload_name(getattr(f, "orig_name", None) or src.name)
            try:
                check_file(src, max_bytes, name=name)
            except LoadError as exc:
                raise UserError(f"{name}: {exc}") from None
            dest = (folder / name).resolve()
            if dest.parent != folder.resolve():
                raise UserError(f"{name}: bad file name")
            shutil.copyfile(src, dest)
            saved.append(dest)
        except UserError as exc:
            rejected.append(f"❌ rejected {exc}")
    return saved, rejected
