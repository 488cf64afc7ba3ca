"""Stage 2, the index: embeddings (torch and ONNX backends), the Chroma store, the BM25
index and its file, and :func:`~assistant.store.build.build_index`, which writes them all.
"""
