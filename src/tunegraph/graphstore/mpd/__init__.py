"""The Million Playlist Dataset into the graph: by transactions, or by Neo4j's offline importer.

``slices`` reads and checks slice files for both paths; ``transactional`` adds them to
any graph, file by file and resumable; ``staging`` and ``bulk`` make a first load into
an empty database through an ``OfflineLoader`` (``offline``), which
``tunegraph.neo4j_server`` provides: the graph store never runs a server itself.
``import_mpd_files`` (``api``) is the one call that picks the path and runs it.
"""

from tunegraph.graphstore.mpd.api import ImportReporter, import_mpd_files
from tunegraph.graphstore.mpd.bulk import BulkImportError, BulkSettings
from tunegraph.graphstore.mpd.offline import InputGroup, OfflineLoader
from tunegraph.graphstore.mpd.slices import FileResult, ImportSummary, Progress
from tunegraph.graphstore.mpd.transactional import ImportSettings, import_mpd

__all__ = [
    "BulkImportError",
    "BulkSettings",
    "FileResult",
    "ImportReporter",
    "ImportSettings",
    "ImportSummary",
    "InputGroup",
    "OfflineLoader",
    "Progress",
    "import_mpd",
    "import_mpd_files",
]
