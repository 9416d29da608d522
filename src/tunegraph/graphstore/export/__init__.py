"""The graph as the training data the model reads: Parquet files per ``tunegraph.export_format``.

``queries`` is the read side (the export's Cypher, keyset-paged), ``parquet`` the write
side, and ``pipeline`` streams the one into the other and publishes the directory whole.
``export_graph`` is the one call `tunegraph export` makes.
"""

from tunegraph.graphstore.export.parquet import arrow_schema
from tunegraph.graphstore.export.pipeline import (
    ExportError,
    ExportResult,
    ExportSettings,
    export_graph,
    export_store,
)

__all__ = [
    "ExportError",
    "ExportResult",
    "ExportSettings",
    "arrow_schema",
    "export_graph",
    "export_store",
]
