"""The web surface: the Gradio app, its tabs, the JSON API and its client.

Other surfaces use only :func:`serve` and :mod:`assistant.ui.client` (the JSON API's client).
"""

from __future__ import annotations

from typing import Any


def serve(*args: Any, **kwargs: Any) -> None:
    """Start the web chat (:func:`assistant.ui.app.serve`); Gradio is imported only now."""
    from assistant.ui.app import serve as start

    start(*args, **kwargs)
