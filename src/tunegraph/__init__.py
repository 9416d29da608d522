"""tunegraph: crawl playlists into Neo4j and recommend tracks.

The Python API::

    import tunegraph

    model = tunegraph.load_model("out/model")
    model.recommend(playlist="37i9dQZF1DXcBWIGoYBM5M", k=10)
    model.recommend(tracks=["4uLU6hMCjMI75M1A2tKUQC"], name="road trip")
    model.recommend_many([tunegraph.Request(playlist="..."), {"name": "chill"}], k=10)
    model.recommend(playlist="37i9dQZF1DXcBWIGoYBM5M", k=5, explain=True)[0].because
    model.explain("7ouMYWpwJ422jRcDASZB7P", playlist="37i9dQZF1DXcBWIGoYBM5M")

``import tunegraph`` loads neither numpy nor TensorFlow; ``load_model`` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tunegraph.model.serving.answers import Because, Recommendation, Request, SharedSeed
    from tunegraph.model.serving.engine import Model

__version__ = "0.1.0"
__all__ = ["Because", "Recommendation", "Request", "SharedSeed", "load_model"]
_ANSWERS = ("Because", "Recommendation", "Request", "SharedSeed")


def load_model(path: str | Path) -> Model:
    """Read a model directory (what ``tunegraph train --out`` wrote) for many requests."""
    from tunegraph.model.serving.engine import Model

    return Model.load(path)


def __getattr__(name: str) -> Any:
    """The answer types (``Recommendation``, ``Request``, ...) on first use: importing any
    part of tunegraph (the Neo4j launcher, the crawler) must not import the model package."""
    if name in _ANSWERS:
        from tunegraph.model.serving import answers

        return getattr(answers, name)
    raise AttributeError(f"module 'tunegraph' has no attribute {name!r}")
