r"""Stage 3, retrieval: a question in, ranked :class:`~assistant.retrieve.retriever.Passage`\ s out
(hybrid dense + BM25 search), and a LangChain retriever over the same engine.
"""
