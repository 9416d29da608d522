"""tunegraph.model."""
