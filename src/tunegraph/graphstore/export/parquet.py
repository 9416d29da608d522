"""The export's write side: contract tables as Arrow schemas, interactions in part files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from tunegraph import export_format as F

_ARROW = {
    "string": pa.string(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float32": pa.float32(),
    "bool": pa.bool_(),
    "list<string>": pa.list_(pa.string()),
}


def arrow_schema(columns: tuple[F.Column, ...]) -> pa.Schema:
    """The Parquet schema of a contract table."""
    return pa.schema([pa.field(c.name, _ARROW[c.dtype], nullable=c.nullable) for c in columns])


class ShardedWriter:
    """Interactions into part-NNNNN.parquet files of at most shard_rows rows."""

    def __init__(self, folder: Path, shard_rows: int, flush_rows: int = 200_000) -> None:
        self.folder, self.shard_rows = folder, shard_rows
        self.flush_rows = min(flush_rows, shard_rows)
        self.schema = arrow_schema(F.INTERACTION_COLUMNS)
        self.columns: dict[str, list[Any]] = {c: [] for c in self.schema.names}
        self.writer: pq.ParquetWriter | None = None
        self.in_shard = 0
        self.shards = 0

    def add(self, query_id: str, playlist_id: str, tracks: list[str], positions: list[int]) -> None:
        start = 0
        while start < len(tracks):
            room = self.shard_rows - self.in_shard - len(self.columns["track_id"])
            take = min(room, len(tracks) - start)
            self.columns["query_id"].extend([query_id] * take)
            self.columns["playlist_id"].extend([playlist_id] * take)
            self.columns["track_id"].extend(tracks[start : start + take])
            self.columns["position"].extend(positions[start : start + take])
            start += take
            if len(self.columns["track_id"]) >= self.flush_rows or take == room:
                self.flush()

    def flush(self) -> None:
        n = len(self.columns["track_id"])
        if not n:
            return
        if self.writer is None:
            path = self.folder / f"part-{self.shards:05d}.parquet"
            self.writer = pq.ParquetWriter(path, self.schema)
            self.shards += 1
        self.writer.write_table(pa.table(self.columns, schema=self.schema))
        self.columns = {c: [] for c in self.schema.names}
        self.in_shard += n
        if self.in_shard >= self.shard_rows:
            self.writer.close()
            self.writer, self.in_shard = None, 0

    def close(self) -> None:
        self.flush()
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        if self.shards == 0:  # the contract wants at least one part file
            pq.write_table(self.schema.empty_table(), self.folder / "part-00000.parquet")
            self.shards = 1
