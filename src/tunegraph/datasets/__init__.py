"""Readers for public playlist data sets (the Million Playlist Dataset)."""
