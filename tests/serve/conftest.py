"""The model tests' tiny trained model, shared with the server's tests."""

from __future__ import annotations

from model.conftest import session_dir, toy_data_dir, toy_world, trained

__all__ = ["session_dir", "toy_data_dir", "toy_world", "trained"]
