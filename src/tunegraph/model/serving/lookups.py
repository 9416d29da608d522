"""Id -> index maps of a loaded model, built once so a request costs dictionary look-ups,
not a scan of the catalogue or of the playlist list. Ids follow ``tunegraph.ids``: a bare
id, a ``spotify:`` URI or an open.spotify.com link."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tunegraph.ids import MPD_PREFIX, IdSyntaxError, mpd_suggestion, spotify_id_of, track_id_of
from tunegraph.model.errors import UnknownIdError

if TYPE_CHECKING:
    from tunegraph.model.pipeline.artifacts import LoadedModel


class Lookups:
    """Track id -> 1-based track index; playlist id -> row of ``LoadedModel.playlists``."""

    def __init__(self, loaded: LoadedModel) -> None:
        self.track_index = {tid: i + 1 for i, tid in enumerate(loaded.tracks.ids)}
        self.playlist_row = {pid: i for i, pid in enumerate(loaded.playlist_ids)}
        self.mpd = any(pid.startswith(MPD_PREFIX) for pid in self.playlist_row)

    def tracks(self, track_refs: Sequence[str]) -> list[int]:
        """Each track's index, 0 where the model does not know it."""
        return [self.track_index.get(track_id_of(t), 0) for t in track_refs]

    def find_playlist(self, ref: str) -> int | None:
        """The row of a playlist the model knows, or None."""
        try:
            return self.playlist_row.get(spotify_id_of(ref, "playlist"))
        except IdSyntaxError:
            return None

    def playlist(self, ref: str) -> int:
        """The row of a playlist the model knows; UnknownIdError, with a hint, otherwise."""
        try:
            pid = spotify_id_of(ref, "playlist")
        except IdSyntaxError as exc:
            raise UnknownIdError(str(exc)) from None
        row = self.playlist_row.get(pid)
        if row is not None:
            return row
        hint = mpd_suggestion(pid)
        if hint and hint in self.playlist_row:
            why = f"; did you mean {hint}? (an imported MPD playlist)"
        elif hint and self.mpd:
            why = f"; this model names MPD playlists mpd:<pid>, and knows no {hint}"
        else:
            why = ""
        raise UnknownIdError(f"unknown playlist {ref!r}: not in the model's data{why}")
