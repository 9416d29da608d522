"""Tests of tunegraph.simulator (a package, so module names never clash with other parts)."""
