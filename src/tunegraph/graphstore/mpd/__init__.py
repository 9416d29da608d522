"""The Million Playlist Dataset into the graph: by transactions, or by Neo4j's offline importer.

``slices`` reads and checks slice files for both paths; ``transactional`` adds them to
any graph, file by file and resumable; ``staging`` and ``bulk`` make a first load into
an empty database through an ``OfflineLoader`` (``offline``), which
``tunegraph.neo4j_server`` provides: the graph store never runs a server itself.
"""

from tunegraph.graphstore.mpd.bulk import BulkImportError, BulkSettings, bulk_import_mpd
from tunegraph.graphstore.mpd.offline import InputGroup, OfflineLoader
from tunegraph.graphstore.mpd.slices import FileResult, ImportSummary, Progress, expand_paths
from tunegraph.graphstore.mpd.transactional import ImportSettings, import_mpd

__all__ = [
    "BulkImportError",
    "BulkSettings",
    "FileResult",
    "ImportSettings",
    "ImportSummary",
    "InputGroup",
    "OfflineLoader",
    "Progress",
    "bulk_import_mpd",
    "expand_paths",
    "import_mpd",
]
