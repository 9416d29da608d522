"""The graph in Neo4j: the core (driver, schema, writes, queries) here, by role below.

``mpd`` imports the Million Playlist Dataset, ``export`` writes the training data and
``frontier`` is the crawl's work queue; each package exports the few names its callers
use, and ``import_mpd_files`` and ``export_graph`` are one call each for the CLI.
"""
