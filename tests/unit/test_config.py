"""Settings read from the environment and flags: bad values are one-line errors."""

from __future__ import annotations

import argparse

import pytest

from assistant.config import Settings, positive_int
from assistant.errors import UserError


def test_numeric_settings_are_read(monkeypatch):
    monkeypatch.setenv("ASSISTANT_K", "7")
    monkeypatch.setenv("ASSISTANT_MAX_FILE_MB", "0.5")
    s = Settings.from_env()
    assert s.k == 7 and s.max_file_bytes == 512 * 1024


@pytest.mark.parametrize(("name", "value"), [("ASSISTANT_K", "five"), ("ASSISTANT_K", "0"), ("ASSISTANT_N_CTX", "1e3x")])
def test_a_bad_number_in_the_environment_is_a_clear_error(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(UserError, match=f"{name} must be"):
        Settings.from_env()


def test_k_flag_must_be_positive():
    assert positive_int("3") == 3
    for bad in ("0", "-1", "five"):
        with pytest.raises(argparse.ArgumentTypeError):
            positive_int(bad)
