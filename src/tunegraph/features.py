"""The exported data's contract, shared by the Cypher exporter and the tf.data parser.

Export (``graphstore``) and training (``model``) never import each other; both name
their columns from here so that a renamed or retyped feature breaks a test, not a
training run. Pure Python: no Neo4j, no TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass

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


# One row per (query entity, track): duplicates removed.
INTERACTION_COLUMNS: tuple[Column, ...] = (
    Column("query_id", "string", doc="playlist id, or its owner's user id with --query-entity owner"),
    Column("playlist_id", "string", doc="the playlist the pair came from: the evaluation split key"),
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
