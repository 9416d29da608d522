"""Id -> index maps of a loaded model, built once so a request costs dictionary look-ups,
not a scan of the catalogue or of the playlist list."""

from __future__ import annotations

from collections.abc import Sequence

from tunegraph.model.artifacts import LoadedModel


class Lookups:
    """Track id -> 1-based track index; playlist id -> row of ``LoadedModel.playlists``."""

    def __init__(self, loaded: LoadedModel) -> None:
        self.track_index = {tid: i + 1 for i, tid in enumerate(loaded.tracks.ids)}
        self.playlist_row = {pid: i for i, pid in enumerate(loaded.playlist_ids)}

    def tracks(self, track_ids: Sequence[str]) -> list[int]:
        """Each id's index, 0 where the model does not know it."""
        return [self.track_index.get(t, 0) for t in track_ids]
