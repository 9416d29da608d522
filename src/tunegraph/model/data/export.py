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
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import scipy.sparse as sp

from tunegraph import export_format as F
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
    try:
        track_vocab = read_vocab(root / F.VOCAB_DIR / "track_id.txt")
        tracks_table = pq.read_table(root / F.TRACKS_FILE)
        playlists_frame = pd.read_parquet(root / F.PLAYLISTS_FILE, columns=["playlist_id", "name"])
        held = {
            "interactions": sum(pq.ParquetFile(p).metadata.num_rows for p in parts),
            "tracks": tracks_table.num_rows,
            "playlists": len(playlists_frame),
            "track vocabulary": len(track_vocab),
        }
        _check_counts(root, manifest, parts, held)
        rows = _read_interactions(root, parts, track_vocab)
    except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
        raise DataError(f"cannot read the export in {root}: {exc}") from exc
    tracks = _track_table(track_vocab, tracks_table)
    playlist_ids, playlist_tracks, query_ids, first_part = rows
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
        playlist_part=first_part,
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


def _read_interactions(
    root: Path, parts: list[Path], track_vocab: list[str]
) -> tuple[list[str], list[np.ndarray], list[str], np.ndarray]:
    """Playlists in id order with their tracks by position (first of duplicates kept), the
    query id and the part file each starts in.

    Ids become integer codes part by part in Arrow (``index_in``), so no Python object is
    made per row: memory stays a few int arrays of the interactions' length.
    """
    names = F.column_names(F.INTERACTION_COLUMNS)
    id_sets: dict[str, set[str]] = {"playlist_id": set(), "query_id": set()}
    for path in parts:  # first pass: the playlist and query ids, two columns only
        table = pq.read_table(path, columns=list(id_sets))
        for name, seen in id_sets.items():
            seen.update(pc.unique(pc.fill_null(table[name], "")).to_pylist())
    playlist_vocab = sorted(id_sets["playlist_id"] - {""})
    query_values = sorted(id_sets["query_id"])
    value_sets = {
        "playlist_id": pa.array(playlist_vocab, pa.string()),
        "track_id": pa.array(track_vocab, pa.string()),
        "query_id": pa.array(query_values, pa.string()),
    }
    coded: dict[str, list[np.ndarray]] = {k: [] for k in (*value_sets, "position", "part")}
    for i, path in enumerate(parts):
        table = pq.read_table(path, columns=names)
        ids = {name: pc.fill_null(table[name], "") for name in value_sets}
        keep = pc.and_(pc.not_equal(ids["playlist_id"], ""), pc.not_equal(ids["track_id"], ""))
        for name, column in ids.items():
            codes = pc.index_in(pc.filter(column, keep), value_set=value_sets[name])
            missing = pc.is_null(codes)
            if pc.any(missing).as_py():
                unknown = pc.filter(pc.filter(column, keep), missing)[0].as_py()
                raise DataError(
                    f"{root}: {name} {unknown} is in interactions but not in the vocabulary"
                )
            coded[name].append(codes.to_numpy().astype(np.int32))
        position = pc.fill_null(pc.filter(table["position"], keep), 0)
        coded["position"].append(position.to_numpy().astype(np.int64))
        coded["part"].append(np.full(len(coded["position"][-1]), i, np.int32))
    if not parts or not sum(len(c) for c in coded["position"]):
        raise DataError(f"{root} holds no interactions: export a graph with playlists first")
    playlist, track, query, position, part = (np.concatenate(coded[k]) for k in coded)
    track += 1  # index 0 is padding
    key = playlist.astype(np.int64) * (len(track_vocab) + 1) + track
    first = np.sort(np.unique(key, return_index=True)[1])  # a duplicate keeps its first row
    playlist, track, query, position, part = (
        a[first] for a in (playlist, track, query, position, part)
    )
    order = np.lexsort((position, playlist))  # stable: equal positions keep file order
    playlist, track, query, part = playlist[order], track[order], query[order], part[order]
    counts = np.bincount(playlist, minlength=len(playlist_vocab))
    present = np.flatnonzero(counts)
    starts = np.concatenate([[0], np.cumsum(counts[present])[:-1]])
    return (
        [playlist_vocab[i] for i in present],
        np.split(track, starts[1:]),
        [query_values[q] for q in query[starts]],
        part[starts],
    )


def _codes(values: pa.ChunkedArray | pa.Array, vocabulary: list[str]) -> np.ndarray:
    """1 + each value's place in ``vocabulary``; 0 for null, empty or absent."""
    codes = pc.index_in(values, value_set=pa.array(vocabulary, pa.string()))
    return pc.fill_null(codes, -1).to_numpy().astype(np.int32) + 1


def _flags(column: pa.ChunkedArray) -> np.ndarray:
    return pc.fill_null(column, False).to_numpy(zero_copy_only=False).astype(bool)


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    """float64 values, NaN where null."""
    return pc.fill_null(pc.cast(column, pa.float64()), np.nan).to_numpy(zero_copy_only=False)


def _track_table(track_vocab: list[str], table: pa.Table) -> TrackTable:
    """Side features in vocabulary order, computed column-wise in Arrow (millions of
    tracks: no pandas rows, no per-track Python loop beyond the lists kept as lists)."""
    ids = pc.fill_null(table["track_id"], "")
    rows = pc.index_in(pa.array(track_vocab, pa.string()), value_set=ids)  # first match
    table = table.take(rows)  # aligned with the vocabulary; null rows for absent tracks
    n = len(track_vocab)
    named = pc.fill_null(pc.not_equal(table["track_name"], ""), False)
    names = pc.if_else(named, table["track_name"], pa.array(track_vocab, pa.string()))
    artist_lists = pc.fill_null(table["artist_ids"], pa.scalar([], pa.list_(pa.string())))
    name_lists = pc.fill_null(table["artist_names"], pa.scalar([], pa.list_(pa.string())))
    lengths = pc.list_value_length(artist_lists).to_numpy().astype(np.int64)
    credited_ids = pc.list_flatten(artist_lists)
    credited = sorted(set(pc.unique(credited_ids).to_pylist()))
    has_artist = pc.greater(pc.list_value_length(artist_lists), 0)
    padded = pc.if_else(has_artist, artist_lists, pa.scalar([""], pa.list_(pa.string())))
    first_ids = pc.list_element(padded, 0)
    first = sorted(set(pc.unique(first_ids).to_pylist()) - {""})
    artist_index = np.zeros(n + 1, np.int32)
    artist_index[1:] = _codes(first_ids, first)
    audio = np.zeros((n + 1, len(F.AUDIO_FEATURES)), np.float32)
    audio_mask = np.zeros(n + 1, np.float32)
    has_audio = _flags(table["has_audio_features"])
    values = np.stack([_floats(table[name]) for name in F.AUDIO_FEATURES], axis=1)
    has_audio &= ~np.isnan(values).any(axis=1)
    if has_audio.any():
        present = values[has_audio]
        mean, std = present.mean(axis=0), present.std(axis=0)
        std[std == 0] = 1.0
        audio[1:][has_audio] = ((present - mean) / std).astype(np.float32)
        audio_mask[1:][has_audio] = 1.0

    popularity = np.zeros(n + 1, np.float32)
    popularity_mask = np.zeros(n + 1, np.float32)
    pop = _floats(table["popularity"])
    has_pop = _flags(table["has_popularity"]) & ~np.isnan(pop)
    popularity[1:][has_pop] = (pop[has_pop] / 100.0).astype(np.float32)
    popularity_mask[1:][has_pop] = 1.0
    albums = pc.fill_null(table["album_id"], "")
    album_index = np.zeros(n + 1, np.int32)
    album_index[1:] = _codes(albums, sorted(set(pc.unique(albums).to_pylist()) - {""}))
    return TrackTable(
        ids=list(track_vocab),
        names=names.to_pylist(),
        artist_names=name_lists.to_pylist(),
        artist_index=artist_index,
        n_artists=len(first),
        audio=audio,
        audio_mask=audio_mask,
        popularity=popularity,
        popularity_mask=popularity_mask,
        album_index=album_index,
        credit_indptr=np.cumsum(np.concatenate([[0, 0], lengths])),  # row 0: padding
        credit_indices=_codes(credited_ids, credited) - 1,
    )
