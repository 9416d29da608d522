"""The exported data's contract, shared by the Cypher exporter and the tf.data parser.

Export (``graphstore``) and training (``model``) never import each other; both name
their columns from here so that a renamed or retyped feature breaks a test, not a
training run. Pure Python: no Neo4j, no TensorFlow.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tunegraph.errors import TunegraphError

FORMAT_VERSION = 1
MANIFEST_FILE = "manifest.json"
INTERACTIONS_DIR = "interactions"
TRACKS_FILE = "tracks.parquet"
PLAYLISTS_FILE = "playlists.parquet"
VOCAB_DIR = "vocab"


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # arrow-ish: "string", "int32", "int64", "float32", "bool", "list<string>"
    nullable: bool = False
    doc: str = ""


# One row per (playlist, track): a track repeated in a playlist is kept once. With
# --query-entity owner the same (owner, track) pair can appear once per playlist, which
# the split by playlist needs.
INTERACTION_COLUMNS: tuple[Column, ...] = (
    Column(
        "query_id", "string", doc="playlist id, or its owner's user id with --query-entity owner"
    ),
    Column(
        "playlist_id", "string", doc="the playlist the pair came from: the evaluation split key"
    ),
    Column("track_id", "string"),
    Column("position", "int32", doc="position of the track in the playlist (0-based)"),
)

# Spotify's audio features that carry signal; values normalised by the model, not the export.
AUDIO_FEATURES: tuple[str, ...] = (
    "danceability",
    "energy",
    "valence",
    "acousticness",
    "instrumentalness",
    "liveness",
    "speechiness",
    "tempo",
    "loudness",
)

# One row per track. Absent optional values stay null and are flagged by a mask column,
# never replaced by a fake zero.
TRACK_COLUMNS: tuple[Column, ...] = (
    Column("track_id", "string"),
    Column("track_name", "string", nullable=True),
    Column("artist_ids", "list<string>", doc="artists in credit order"),
    Column("artist_names", "list<string>"),
    Column("album_id", "string", nullable=True),
    Column("popularity", "float32", nullable=True, doc="0..100 where the API gave it"),
    Column("has_popularity", "bool"),
    *(Column(name, "float32", nullable=True) for name in AUDIO_FEATURES),
    Column("has_audio_features", "bool"),
)

PLAYLIST_COLUMNS: tuple[Column, ...] = (
    Column("playlist_id", "string"),
    Column("name", "string", nullable=True),
    Column("owner_id", "string", nullable=True),
)

# Vocabularies: one id per line, sorted, in VOCAB_DIR/<name>.txt.
VOCABULARIES: tuple[str, ...] = ("query_id", "track_id", "artist_id", "album_id")


def column_names(columns: tuple[Column, ...]) -> list[str]:
    return [column.name for column in columns]


# --- The manifest: what the exporter writes beside the data, what training checks. ---

MANIFEST_FORMAT_VERSION = "format_version"
MANIFEST_COUNTS = "counts"
MANIFEST_SCHEMA = "schema"
MANIFEST_QUERY_ENTITY = "query_entity"
MANIFEST_QUERY = "query"
MANIFEST_GRAPH_CHECKSUM = "graph_checksum"
MANIFEST_REQUIRED_FIELDS: tuple[str, ...] = (
    MANIFEST_FORMAT_VERSION,
    MANIFEST_COUNTS,
    MANIFEST_SCHEMA,
    MANIFEST_QUERY_ENTITY,
    MANIFEST_GRAPH_CHECKSUM,
)
QUERY_ENTITIES: tuple[str, ...] = ("playlist", "owner")
# Keys of manifest["schema"]: one {column: dtype} mapping per table.
SCHEMA_TABLES: dict[str, tuple[Column, ...]] = {
    "interactions": INTERACTION_COLUMNS,
    "tracks": TRACK_COLUMNS,
    "playlists": PLAYLIST_COLUMNS,
}


class DataContractError(TunegraphError, ValueError):
    """An export directory that does not follow this contract (a user-facing, one-line error)."""


def schema_of(columns: tuple[Column, ...]) -> dict[str, str]:
    """{name: dtype} of a table, the form the manifest records and the exporter checks."""
    return {column.name: column.dtype for column in columns}


def full_schema() -> dict[str, dict[str, str]]:
    """The manifest's ``schema`` value for this format version."""
    return {table: schema_of(columns) for table, columns in SCHEMA_TABLES.items()}


def read_manifest(data_dir: str | Path) -> dict[str, Any]:
    """Read and check ``manifest.json`` and the files it implies; raise DataContractError.

    Checks what training relies on: a known format version, the required fields, a
    schema that names every contract column with its dtype, the data files present.
    """
    root = Path(data_dir)
    if not root.is_dir():
        raise DataContractError(f"data directory {root} does not exist")
    path = root / MANIFEST_FILE
    if not path.is_file():
        raise DataContractError(
            f"{root} has no {MANIFEST_FILE}: is it a `tunegraph export` output?"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataContractError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(manifest, dict):
        raise DataContractError(f"{path} must hold a JSON object")
    missing = [name for name in MANIFEST_REQUIRED_FIELDS if name not in manifest]
    if missing:
        raise DataContractError(f"{path} lacks field(s) {', '.join(missing)}")
    version = manifest[MANIFEST_FORMAT_VERSION]
    if version != FORMAT_VERSION:
        raise DataContractError(
            f"{root} has export format version {version!r}; this tunegraph reads {FORMAT_VERSION}"
        )
    if manifest[MANIFEST_QUERY_ENTITY] not in QUERY_ENTITIES:
        raise DataContractError(
            f"{path}: unknown query_entity {manifest[MANIFEST_QUERY_ENTITY]!r}"
            f" (expected one of {', '.join(QUERY_ENTITIES)})"
        )
    schema = manifest[MANIFEST_SCHEMA]
    for table, columns in SCHEMA_TABLES.items():
        recorded = schema.get(table, {}) if isinstance(schema, dict) else {}
        for column in columns:
            if recorded.get(column.name) != column.dtype:
                raise DataContractError(
                    f"{path}: schema of {table}.{column.name} is {recorded.get(column.name)!r},"
                    f" expected {column.dtype!r}"
                )
    if not sorted((root / INTERACTIONS_DIR).glob("part-*.parquet")):
        raise DataContractError(f"{root} has no {INTERACTIONS_DIR}/part-*.parquet files")
    for name in (TRACKS_FILE, PLAYLISTS_FILE):
        if not (root / name).is_file():
            raise DataContractError(f"{root} lacks {name}")
    for vocab in VOCABULARIES:
        if not (root / VOCAB_DIR / f"{vocab}.txt").is_file():
            raise DataContractError(f"{root} lacks {VOCAB_DIR}/{vocab}.txt")
    return manifest
