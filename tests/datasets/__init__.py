"""Tests of tunegraph.datasets."""
