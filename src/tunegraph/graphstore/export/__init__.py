"""The graph as the training data the model reads: Parquet files per ``tunegraph.export_format``.

``queries`` holds the export's Cypher and its keyset paging; ``pipeline`` streams the
pages into the export directory and publishes it whole.
"""

from tunegraph.graphstore.export.pipeline import (
    ExportError,
    ExportResult,
    ExportSettings,
    arrow_schema,
    export_graph,
)

__all__ = ["ExportError", "ExportResult", "ExportSettings", "arrow_schema", "export_graph"]
