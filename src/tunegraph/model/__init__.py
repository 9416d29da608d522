"""From the exported playlists to recommendations: retrieve, rank, serve, evaluate.

By role: ``data`` (the export as arrays), ``retrievers`` (numpy candidate sources),
``twotower`` (the TFRS retrieval model), ``ranker``, ``pipeline`` (fit, save, load),
``serving`` and ``evaluation``; ``api`` is what the CLI calls. Only ``_tf`` imports
TensorFlow, and nothing in ``data`` or ``retrievers`` reaches it (tests/test_layers.py).
"""
