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


@pytest.mark.parametrize(
    ("name", "value"), [("ASSISTANT_K", "five"), ("ASSISTANT_K", "0"), ("ASSISTANT_N_CTX", "1e3x")]
)
def test_a_bad_number_in_the_environment_is_a_clear_error(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(UserError, match=f"{name} must be"):
        Settings.from_env()


def test_k_flag_must_be_positive():
    assert positive_int("3") == 3
    for bad in ("0", "-1", "five"):
        with pytest.raises(argparse.ArgumentTypeError):
            positive_int(bad)


def test_every_variable_read_is_documented_once_and_the_readme_is_generated():
    import re

    from assistant.config import ENV_VARS, PROJECT_ROOT, settings_help, settings_table

    source = (PROJECT_ROOT / "assistant" / "config.py").read_text(encoding="utf-8")
    read = set(re.findall(r'_(?:env|number)\("(ASSISTANT_[A-Z_]+)"', source))
    documented = [v.name for v in ENV_VARS]
    assert read == set(documented) and len(documented) == len(set(documented))
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert settings_table() in readme, "README is stale: paste the output of `python -m assistant.config`"
    assert all(name in settings_help() for name in documented)


def test_no_module_but_config_reads_assistant_variables():
    import re

    from assistant.config import PROJECT_ROOT

    reads = re.compile(r"(?:environ(?:\.get)?[\[(]|getenv\()\s*[\"']ASSISTANT_")
    # positive control: the pattern does see the ways a module could read one
    for sample in ('os.environ.get("ASSISTANT_AUTH")', "os.environ['ASSISTANT_K']", 'os.getenv("ASSISTANT_LLM")'):
        assert reads.search(sample), sample
    for path in (PROJECT_ROOT / "assistant").rglob("*.py"):
        if path.name != "config.py":
            assert not reads.search(path.read_text(encoding="utf-8")), path
