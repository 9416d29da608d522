"""tunegraph: crawl playlists into Neo4j and recommend tracks.

The Python API::

    import tunegraph

    model = tunegraph.load_model("out/model")
    model.recommend(playlist="37i9dQZF1DXcBWIGoYBM5M", k=10)
    model.recommend(tracks=["4uLU6hMCjMI75M1A2tKUQC"], name="road trip")
    model.recommend_many([tunegraph.Request(playlist="..."), {"name": "chill"}], k=10)

``import tunegraph`` loads neither numpy nor TensorFlow; ``load_model`` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tunegraph.model.answers import Recommendation, Request
    from tunegraph.model.engine import Model

__version__ = "0.1.0"
__all__ = ["Recommendation", "Request", "load_model"]


def load_model(path: str | Path) -> Model:
    """Read a model directory (what ``tunegraph train --out`` wrote) for many requests."""
    from tunegraph.model.engine import Model

    return Model.load(path)


def __getattr__(name: str) -> Any:
    """``Recommendation`` and ``Request`` on first use: importing any part of tunegraph
    (the Neo4j launcher, the crawler) must not import the model package."""
    if name in ("Recommendation", "Request"):
        from tunegraph.model import answers

        return getattr(answers, name)
    raise AttributeError(f"module 'tunegraph' has no attribute {name!r}")
