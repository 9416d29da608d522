"""tunegraph: crawl playlists into Neo4j and recommend tracks."""

__version__ = "0.1.0"
