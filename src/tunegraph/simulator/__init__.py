"""tunegraph.simulator."""
