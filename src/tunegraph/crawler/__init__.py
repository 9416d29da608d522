"""tunegraph.crawler."""
