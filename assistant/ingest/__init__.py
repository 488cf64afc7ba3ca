"""Stage 1, ingest: article files in, :class:`~assistant.ingest.load.Article` and
:class:`~assistant.ingest.chunk.Chunk` out (loading, HTML text, chunking, who is speaking).
"""
