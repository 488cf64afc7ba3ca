"""Who is quoted: quotes found in articles, the people index over them, and its evaluation.

Built on :mod:`assistant.ingest` only; the answer stage and the surfaces read it.
"""
