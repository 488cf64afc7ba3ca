"""Query embeddings on onnxruntime: the packaged MiniLM weights, exported once to ONNX.

Importing torch and sentence-transformers costs a cold process about 4 s; onnxruntime (which
chromadb already installs) and the ``tokenizers`` library load in a fraction of a second.
The export runs once, with torch, and is cached like the GGUF: ``<cache_dir>/embed/``.
The exported graph includes mean pooling and L2 normalisation, so it returns the same
vectors as :class:`assistant.store.embed.TorchEmbedder` (``bench/embed_parity.py`` measures it).
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.errors import SetupError
from assistant.store.vectors import ArrayEmbeddings

EXPORT_VERSION = "1"  # bump when the exported graph changes
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
BATCH = 8
"""Texts per onnxruntime call. On 2 cores, batches of 8 embedded archive chunks faster than
batches of 64 in every run of ``bench/bench_embed_batch.py`` (by 6–31 %, e.g. 120 against
99 chunks/s), with the same vectors (cosine ≥ 0.999999)."""
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def onnx_path(cache_dir: Path, model_dir: str) -> Path:
    """Where the export of the model in ``model_dir`` is cached (keyed on its weights file)."""
    weights = Path(model_dir) / "model.safetensors"
    st = weights.stat()
    return Path(cache_dir) / "embed" / f"all-MiniLM-L6-v2-{st.st_size}-{int(st.st_mtime)}-v{EXPORT_VERSION}.onnx"


def export(model_dir: str, target: Path) -> Path:
    """Export the transformer + mean pooling + normalisation to ``target`` (atomically).

    Needs torch, transformers and onnx; :class:`OnnxEmbedder` then needs none of them.
    """
    import torch
    from transformers import AutoModel

    class _Sentence(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor) -> torch.Tensor:
            hidden = self.model(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state
            weight = mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * weight).sum(1) / weight.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    target.parent.mkdir(parents=True, exist_ok=True)
    module = _Sentence(AutoModel.from_pretrained(model_dir).eval())
    sample = tuple(torch.ones(2, 8, dtype=torch.long) for _ in _INPUTS)
    axes = {name: {0: "batch", 1: "tokens"} for name in _INPUTS} | {"embedding": {0: "batch"}}
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".onnx.part")
    os.close(fd)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                module,
                sample,
                tmp,
                input_names=list(_INPUTS),
                output_names=["embedding"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
        os.replace(tmp, target)  # a crash mid-export leaves only a .part file behind
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


class OnnxEmbedder(ArrayEmbeddings):
    """Embeddings from onnxruntime and a fast tokenizer (normalised vectors)."""

    def __init__(self, model_dir: str, onnx_file: Path, threads: int = 0, batch_size: int = BATCH) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        try:
            self.tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
            options = ort.SessionOptions()
            options.intra_op_num_threads = threads or (os.cpu_count() or 1)
            options.log_severity_level = 3
            # Idle worker threads must sleep, not spin: the LLM decodes on the same cores
            # right after the evidence sentences are embedded.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.add_session_config_entry("session.inter_op.allow_spinning", "0")
            self.session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # a damaged export or tokenizer file
            raise SetupError(f"cannot load the ONNX embedding model {onnx_file}: {exc}") from None
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()
        self.batch_size = batch_size

    def _encode(self, texts: list[str]) -> np.ndarray:
        enc = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return self.session.run(None, feed)[0]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        # Similar lengths together, as sentence-transformers does, so padding stays small.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: np.ndarray | None = None
        for i in range(0, len(order), self.batch_size):
            part = order[i : i + self.batch_size]
            vectors = self._encode([texts[j] for j in part])
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[part] = vectors
        return out if out is not None else np.zeros((0, 0), dtype=np.float32)
