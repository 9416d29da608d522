"""Read an export directory into integer-encoded arrays the model and baselines share.

Everything downstream works on integer track indices: index 0 is padding / unknown,
tracks are 1..T in the order of ``vocab/track_id.txt``, which is also the order of
StringLookup's vocabulary, so a saved tower maps strings to the same indices.
No TensorFlow here: baselines and metrics use these arrays with numpy alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from tunegraph import features as F
from tunegraph.model.errors import DataContractError, DataError
from tunegraph.outputs import recover


@dataclass(frozen=True)
class TrackTable:
    """Per-track side features aligned to indices 0..T (row 0 is padding)."""

    ids: list[str]  # index i+1 <-> ids[i]
    names: list[str]
    artist_names: list[list[str]]
    artist_index: np.ndarray  # [T+1] int32, first credited artist, 0 = unknown
    n_artists: int
    audio: np.ndarray  # [T+1, A] float32, standardised, 0 where absent
    audio_mask: np.ndarray  # [T+1] float32, 1 where the track has audio features
    popularity: np.ndarray  # [T+1] float32, 0..1 where present
    popularity_mask: np.ndarray  # [T+1] float32
    album_index: np.ndarray  # [T+1] int32, 0 = unknown
    credit_indptr: np.ndarray  # CSR rows 0..T: every credited artist of a track
    credit_indices: np.ndarray  # int32 indices into all credited artists (not artist_index's)

    def credits(self) -> sp.csr_matrix:
        """Binary [T+1, credited artists] matrix: which artists a track credits."""
        n = int(self.credit_indices.max()) + 1 if len(self.credit_indices) else 1
        data = np.ones(len(self.credit_indices), np.float32)
        shape = (len(self.credit_indptr) - 1, n)
        return sp.csr_matrix((data, self.credit_indices, self.credit_indptr), shape=shape)


@dataclass(frozen=True)
class ExportData:
    """One export directory, encoded. Playlists keep their track order (by position)."""

    manifest: dict[str, Any]
    tracks: TrackTable
    playlist_ids: list[str]
    playlist_tracks: list[np.ndarray]  # int32 track indices in position order
    query_ids: list[str]  # the query entity's id per playlist (playlist or owner)
    query_vocab: list[str]
    playlist_names: list[str]  # aligned with playlist_ids; "" where the graph has none
    # which interactions part file each playlist starts in (workers shard training by file)
    playlist_part: np.ndarray | None = None  # [P] int32 index into the sorted part files
    n_parts: int = 1

    @property
    def n_tracks(self) -> int:
        return len(self.tracks.ids)

    @property
    def checksum(self) -> str:
        return str(self.manifest[F.MANIFEST_GRAPH_CHECKSUM])

    @property
    def n_interactions(self) -> int:
        return int(sum(len(t) for t in self.playlist_tracks))


def read_vocab(path: Path) -> list[str]:
    """One id per line; blank lines ignored."""
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line]


def _string_column(frame: pd.DataFrame, name: str) -> pd.Series:
    # pandas 3 reads Arrow strings; a null string would break tf.data later: fill it.
    return frame[name].astype("string").fillna("").astype(str)


def load_export(data_dir: str | Path) -> ExportData:
    """Check the manifest and read interactions, tracks and vocabularies."""
    root = Path(data_dir)
    if not root.exists():
        recover(root)  # an export killed between the two renames of its swap
    try:
        manifest = F.read_manifest(root)
    except DataContractError as exc:
        raise DataError(str(exc)) from exc
    parts = sorted((root / F.INTERACTIONS_DIR).glob("part-*.parquet"))
    columns = F.column_names(F.INTERACTION_COLUMNS)
    try:
        frame = pd.concat(
            [pd.read_parquet(p, columns=columns).assign(part=i) for i, p in enumerate(parts)],
            ignore_index=True,
        )
        tracks_frame = pd.read_parquet(root / F.TRACKS_FILE)
        playlists_frame = pd.read_parquet(root / F.PLAYLISTS_FILE, columns=["playlist_id", "name"])
    except (OSError, ValueError, KeyError) as exc:
        raise DataError(f"cannot read the export in {root}: {exc}") from exc
    _check_counts(
        root,
        manifest,
        parts,
        {
            "interactions": len(frame),
            "tracks": len(tracks_frame),
            "playlists": len(playlists_frame),
        },
    )
    if frame.empty:
        raise DataError(f"{root} holds no interactions: export a graph with playlists first")
    for name in ("query_id", "playlist_id", "track_id"):
        frame[name] = _string_column(frame, name)
    frame = frame[(frame["track_id"] != "") & (frame["playlist_id"] != "")]
    frame = frame.drop_duplicates(["playlist_id", "track_id"])
    frame["position"] = frame["position"].fillna(0).astype("int64")

    track_vocab = read_vocab(root / F.VOCAB_DIR / "track_id.txt")
    _check_counts(root, manifest, parts, {"track vocabulary": len(track_vocab)})
    tracks = _track_table(track_vocab, tracks_frame)
    index = {tid: i + 1 for i, tid in enumerate(track_vocab)}
    frame["track_ix"] = frame["track_id"].map(index).fillna(0).astype("int32")
    if (frame["track_ix"] == 0).any():
        missing = frame.loc[frame["track_ix"] == 0, "track_id"].iloc[0]
        raise DataError(f"{root}: track {missing} is in interactions but not in vocab/track_id.txt")

    frame = frame.sort_values(["playlist_id", "position"], kind="stable")
    playlist_ids: list[str] = []
    playlist_tracks: list[np.ndarray] = []
    query_ids: list[str] = []
    first_part: list[int] = []
    for pid, group in frame.groupby("playlist_id", sort=True):
        playlist_ids.append(str(pid))
        playlist_tracks.append(group["track_ix"].to_numpy(np.int32))
        query_ids.append(str(group["query_id"].iloc[0]))
        first_part.append(int(group["part"].iloc[0]))
    query_vocab = read_vocab(root / F.VOCAB_DIR / "query_id.txt") or sorted(set(query_ids))
    names = dict(
        zip(
            _string_column(playlists_frame, "playlist_id"),
            _string_column(playlists_frame, "name"),
            strict=True,
        )
    )
    playlist_names = [names.get(pid, "") for pid in playlist_ids]
    return ExportData(
        manifest,
        tracks,
        playlist_ids,
        playlist_tracks,
        query_ids,
        query_vocab,
        playlist_names,
        playlist_part=np.array(first_part, np.int32),
        n_parts=len(parts),
    )


# what a table holds -> (the manifest's count, the file(s) named in an error)
_COUNTED = {
    "interactions": ("interactions", f"{F.INTERACTIONS_DIR}/part-*.parquet"),
    "tracks": ("tracks", F.TRACKS_FILE),
    "playlists": ("playlists", F.PLAYLISTS_FILE),
    "track vocabulary": ("tracks", f"{F.VOCAB_DIR}/track_id.txt"),
}


def _check_counts(
    root: Path, manifest: dict[str, Any], parts: list[Path], held: dict[str, int]
) -> None:
    """Refuse an export whose files hold other row counts than its manifest records (a part
    file lost or cut short): training on it would silently learn from part of the data."""
    counts = manifest.get(F.MANIFEST_COUNTS)
    counts = counts if isinstance(counts, dict) else {}
    shards = counts.get("interaction_shards")
    if isinstance(shards, int) and shards != len(parts):
        expected = {f"part-{i:05d}.parquet" for i in range(shards)}
        missing = sorted(expected - {p.name for p in parts}) or sorted(
            p.name for p in parts if p.name not in expected
        )
        raise DataError(
            f"{root}: manifest.json records {shards} interaction part file(s), the folder holds"
            f" {len(parts)} ({', '.join(missing[:3])}): the export is incomplete; export again"
        )
    for table, rows in held.items():
        key, files = _COUNTED[table]
        expected_rows = counts.get(key)
        if isinstance(expected_rows, int) and expected_rows != rows:
            if table == "interactions" and len(parts) == 1:
                files = f"{F.INTERACTIONS_DIR}/{parts[0].name}"
            raise DataError(
                f"{root}: {files} hold(s) {rows:,} {table} row(s), manifest.json records"
                f" {expected_rows:,}: the export is incomplete or was changed; export again"
            )


def _track_table(track_vocab: list[str], frame: pd.DataFrame) -> TrackTable:
    frame = frame.copy()
    frame["track_id"] = _string_column(frame, "track_id")
    frame = frame.drop_duplicates("track_id").set_index("track_id").reindex(track_vocab)
    n = len(track_vocab)
    names = [
        str(x) if isinstance(x, str) and x else tid
        for x, tid in zip(frame["track_name"], track_vocab, strict=True)
    ]
    artist_ids = [
        list(a) if a is not None and not isinstance(a, float) else [] for a in frame["artist_ids"]
    ]
    artist_names = [
        list(a) if a is not None and not isinstance(a, float) else [] for a in frame["artist_names"]
    ]
    first = sorted({a[0] for a in artist_ids if a})
    artist_ix = {a: i + 1 for i, a in enumerate(first)}
    artist_index = np.zeros(n + 1, np.int32)
    artist_index[1:] = [artist_ix.get(a[0], 0) if a else 0 for a in artist_ids]

    audio = np.zeros((n + 1, len(F.AUDIO_FEATURES)), np.float32)
    audio_mask = np.zeros(n + 1, np.float32)
    has_audio = frame["has_audio_features"].fillna(False).astype(bool).to_numpy().copy()
    values = frame[list(F.AUDIO_FEATURES)].astype("float64").to_numpy(na_value=np.nan)
    has_audio &= ~np.isnan(values).any(axis=1)
    if has_audio.any():
        present = values[has_audio]
        mean, std = present.mean(axis=0), present.std(axis=0)
        std[std == 0] = 1.0
        audio[1:][has_audio] = ((present - mean) / std).astype(np.float32)
        audio_mask[1:][has_audio] = 1.0

    popularity = np.zeros(n + 1, np.float32)
    popularity_mask = np.zeros(n + 1, np.float32)
    pop = frame["popularity"].astype("float64").to_numpy(na_value=np.nan)
    has_pop = frame["has_popularity"].fillna(False).astype(bool).to_numpy() & ~np.isnan(pop)
    popularity[1:][has_pop] = (pop[has_pop] / 100.0).astype(np.float32)
    popularity_mask[1:][has_pop] = 1.0
    credited = {a: i for i, a in enumerate(sorted({a for ids in artist_ids for a in ids}))}
    lengths = np.array([0, 0] + [len(a) for a in artist_ids], np.int64)  # row 0: padding
    credit_indices = np.array([credited[a] for ids in artist_ids for a in ids], np.int32)
    albums = frame["album_id"].astype("string").fillna("").astype(str).tolist()
    album_ix = {a: i + 1 for i, a in enumerate(sorted({a for a in albums if a}))}
    album_index = np.zeros(n + 1, np.int32)
    album_index[1:] = [album_ix.get(a, 0) for a in albums]
    return TrackTable(
        ids=list(track_vocab),
        names=names,
        artist_names=artist_names,
        artist_index=artist_index,
        n_artists=len(first),
        audio=audio,
        audio_mask=audio_mask,
        popularity=popularity,
        popularity_mask=popularity_mask,
        album_index=album_index,
        credit_indptr=np.cumsum(lengths),
        credit_indices=credit_indices,
    )
