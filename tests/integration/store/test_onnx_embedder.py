"""The ONNX embedder runs several batches side by side; the vectors are those of one session."""

from __future__ import annotations

import numpy as np

from assistant.ingest.chunk import chunk_article
from assistant.ingest.load import read_article
from assistant.store.embed import ensure_onnx
from assistant.store.onnx import OnnxEmbedder
from assistant.store.vectors import model_path
from tests.helpers import SEEDS


def test_batches_side_by_side_give_the_vectors_of_one_session(settings):
    texts = [c.text for f in sorted(SEEDS.glob("*.txt"))[:2] for c in chunk_article(read_article(f), 420)]
    embedder = OnnxEmbedder(model_path(), ensure_onnx(settings.cache_dir), threads=2, batch_size=4)
    assert len(texts) > 3 * embedder.batch_size
    embedder.parallel = False
    serial = embedder.encode(texts)
    assert embedder._side_by_side is None  # control: one session did it all
    embedder.parallel = True
    side_by_side = embedder.encode(texts)
    assert embedder._side_by_side is not None  # the one-thread session and its threads ran it
    assert side_by_side.shape == serial.shape
    assert float((serial * side_by_side).sum(1).min()) > 0.99999
    one = embedder.encode(texts[:1])  # a single batch runs on the session of every thread
    assert np.allclose(one[0], serial[0], atol=1e-5)
