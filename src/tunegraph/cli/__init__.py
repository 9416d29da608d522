"""tunegraph.cli."""
