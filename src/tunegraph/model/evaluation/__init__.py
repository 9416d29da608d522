"""Held-out evaluation of the pipeline against its baselines, and the figures drawn from it."""
