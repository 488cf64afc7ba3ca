"""Uploads through the web page: safe names, and the type and size checks of `assistant index`."""

from __future__ import annotations

import pytest

from assistant.errors import UserError
from assistant.ui.uploads import safe_upload_name, save_uploads


@pytest.mark.parametrize(
    "name, expected",
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\win.ini.md", "win.ini.md"),
        ("my article (final).html", "my_article_final_.html"),
        (".hidden.txt", "hidden.txt"),
        ("Müller interview.txt", "Müller_interview.txt"),
    ],
)
def test_upload_names_are_sanitized(name, expected):
    assert safe_upload_name(name) == expected


@pytest.mark.parametrize("name", ["evil.exe", "archive.tar.gz", "noext", ""])
def test_upload_types_are_limited(name):
    with pytest.raises(UserError):
        safe_upload_name(name)


class Upload:
    """What Gradio hands over: a temporary file and the name the user chose."""

    def __init__(self, path, orig_name):
        self.name, self.orig_name = str(path), orig_name


def test_uploads_are_saved_or_rejected_with_the_index_size_limit(tmp_path):
    small, big = tmp_path / "tmp1", tmp_path / "tmp2"
    small.write_text("A short article about the talks.", encoding="utf-8")
    big.write_text("x" * 2000, encoding="utf-8")
    dest = tmp_path / "uploads"
    saved, rejected = save_uploads([Upload(small, "talks.txt"), Upload(big, "big.md")], dest, max_bytes=1000)
    assert [p.name for p in saved] == ["talks.txt"] and (dest / "talks.txt").read_text() == small.read_text()
    assert len(rejected) == 1 and "big.md" in rejected[0] and "limit" in rejected[0]
    assert not (dest / "big.md").exists()
