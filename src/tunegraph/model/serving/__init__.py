"""Answering requests from a loaded model: one at a time or in batches, with ids resolved
and explanations."""
