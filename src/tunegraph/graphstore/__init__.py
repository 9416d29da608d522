"""tunegraph.graphstore."""
