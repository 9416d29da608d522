"""The files of batch recommendation: request files in, result files out.

Readers turn a request file into ``RawRequest``s and nothing more (no model lookups), so
a file problem is one ``BatchFileError`` and per-playlist problems are left to the
resolver. Writers stream one chunk of ``[Q, k]`` track indices at a time into a
temporary file that is renamed over the target only when everything is written, so a
crash or Ctrl-C never leaves a half-written result where a finished one is expected.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from tunegraph.ids import MPD_PREFIX, TRACK_URI_PREFIX, track_id_of
from tunegraph.model.errors import ModelError

OUTPUT_FORMATS: tuple[str, ...] = ("csv", "parquet", "recsys2018")
_ID_HEADERS = {"playlist_id", "pid", "id"}


class BatchFileError(ModelError):
    """A request file that is missing, empty, unreadable or of a format we do not read."""


@dataclass(frozen=True)
class RawRequest:
    """One playlist asked for: its id as the file gives it, its title and its tracks."""

    playlist_id: str
    name: str
    tracks: tuple[str, ...]  # track ids, URIs already reduced to the id
    listed: bool  # from an id list: only a playlist the model knows can be answered


def read_requests(path: Path) -> list[RawRequest]:
    """Requests from ``.txt``/``.csv`` (ids), ``.json``/``.json.gz`` (challenge set or MPD
    slice) or ``.jsonl`` (one playlist per line); one ``BatchFileError`` if unusable."""
    name = path.name.lower()
    if name.endswith((".txt", ".csv")):
        reader = _read_id_list
    elif name.endswith((".json", ".json.gz")):
        reader = _read_challenge
    elif name.endswith(".jsonl"):
        reader = _read_jsonl
    else:
        raise BatchFileError(
            f"{path}: unknown request format: use .txt/.csv (playlist ids), .json (a RecSys"
            " 2018 challenge set or MPD slice) or .jsonl (one playlist per line)"
        )
    try:
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as stream:
            requests = reader(stream, path)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise BatchFileError(f"cannot read {path}: {reason}") from None
    if not requests:
        raise BatchFileError(f"{path} is empty: it names no playlists to recommend for")
    return requests


def _read_id_list(stream: IO[str], path: Path) -> list[RawRequest]:
    out = []
    for number, line in enumerate(stream, 1):
        value = line.split(",", 1)[0].strip().strip('"').strip()
        if not value or value.startswith("#"):
            continue
        if number == 1 and value.lower() in _ID_HEADERS:
            continue  # a CSV header
        out.append(RawRequest(value, "", (), listed=True))
    return out


def _entry(item: Any, where: str) -> RawRequest:
    """One JSON playlist object; ``pid`` or ``playlist_id`` is required, the rest optional."""
    if not isinstance(item, dict):
        raise BatchFileError(f"{where}: a playlist must be a JSON object")
    pid = item.get("playlist_id", item.get("pid"))
    if pid is None or str(pid).strip() == "":
        raise BatchFileError(f"{where}: a playlist without a pid or playlist_id")
    if isinstance(pid, bool) or not isinstance(pid, (str, int)):
        raise BatchFileError(f"{where}: pid {json.dumps(pid)} is neither a string nor an integer")
    tracks = item.get("tracks") or []
    if not isinstance(tracks, list):
        raise BatchFileError(f"{where}: tracks must be a list")
    ids = tuple(t for t in (track_id_of(x) for x in tracks) if t)
    return RawRequest(str(pid).strip(), str(item.get("name") or ""), ids, listed=False)


def _read_challenge(stream: IO[str], path: Path) -> list[RawRequest]:
    text = stream.read()
    if not text.strip():
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BatchFileError(f"{path}: not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("playlists"), list):
        raise BatchFileError(
            f'{path}: not a challenge set or MPD slice: expected {{"playlists": [...]}}'
        )
    return [_entry(p, f"{path}: playlist {i + 1}") for i, p in enumerate(data["playlists"])]


def _read_jsonl(stream: IO[str], path: Path) -> list[RawRequest]:
    out = []
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BatchFileError(f"{path}: line {number} is not JSON: {exc}") from None
        out.append(_entry(item, f"{path}: line {number}"))
    return out


def gzipped(path: Path) -> bool:
    """An output named ``….gz`` is written gzip-compressed (the challenge's ``.csv.gz``)."""
    return path.name.lower().endswith(".gz")


def output_format(path: Path, requested: str) -> str:
    """``auto`` picks csv or parquet from the suffix (before a ``.gz``); recsys2018 is
    always asked for. A gzipped Parquet file is refused: Parquet compresses inside."""
    named = path.with_suffix("") if gzipped(path) else path
    fmt = requested if requested != "auto" else _format_of(named)
    if fmt not in OUTPUT_FORMATS:
        raise BatchFileError(f"unknown output format {requested!r}")
    if fmt == "parquet" and gzipped(path):
        raise BatchFileError(f"{path.name}: Parquet is compressed inside; drop the .gz")
    return fmt


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix == ".csv":
        return "csv"
    raise BatchFileError(
        f"cannot tell the output format from {path.name}: name it .csv, .csv.gz or .parquet,"
        " or give --format"
    )


def check_submission(playlist_ids: Sequence[str]) -> None:
    """A RecSys 2018 submission is plain comma-separated text read by the challenge's
    scorer, unquoted: refuse a pid it would misread (a comma, quote, space or line break)
    and two ids written as one pid (``mpd:5`` and ``5``), naming them."""
    first: dict[str, str] = {}
    for playlist_id in playlist_ids:
        pid = submission_pid(playlist_id)
        if not pid or any(c in pid for c in ',"') or any(c.isspace() for c in pid):
            raise BatchFileError(
                f"playlist {json.dumps(playlist_id)}: a RecSys 2018 submission cannot hold a"
                " pid with a comma, quote, space or line break; use --format csv or parquet"
            )
        if pid in first:
            raise BatchFileError(
                f"playlists {first[pid]} and {playlist_id} are both pid {pid} in a RecSys 2018"
                " submission; list the playlist once"
            )
        first[pid] = playlist_id


class ResultWriter:
    """Appends chunks of ranked lists to ``tmp`` in one format, gzip-compressed if asked;
    ``close`` ends the file."""

    def __init__(
        self,
        tmp: Path,
        fmt: str,
        track_ids: Sequence[str],
        team: str = "",
        email: str = "",
        compress: bool = False,
    ) -> None:
        self.fmt = fmt
        self.track_ids = pa.array(track_ids, pa.string())
        schema = pa.schema(
            [("playlist_id", pa.string()), ("track_id", pa.string()), ("rank", pa.int32())]
        )
        self._arrow: pacsv.CSVWriter | pq.ParquetWriter | None = None
        self._text: IO[str] | None = None
        self._sink: pa.NativeFile | None = None
        if fmt == "csv":
            self._sink = pa.CompressedOutputStream(str(tmp), "gzip") if compress else None
            self._arrow = pacsv.CSVWriter(self._sink or str(tmp), schema)
        elif fmt == "parquet":
            self._arrow = pq.ParquetWriter(str(tmp), schema)
        else:
            check_team(team, email)
            self._uris = np.array([TRACK_URI_PREFIX + t for t in track_ids], dtype=object)
            self._raw = open(tmp, "wb")  # noqa: SIM115  (closed by close())
            # no name in the gzip header: the temporary one would be misleading
            zipped = gzip.GzipFile(filename="", mode="wb", fileobj=self._raw) if compress else None
            self._text = io.TextIOWrapper(zipped or self._raw, encoding="utf-8", newline="\n")
            self._text.write(f"team_info,{team},{email}\n")
        self._schema = schema

    def write(self, playlist_ids: Sequence[str], lists: np.ndarray) -> None:
        """``lists`` [Q, k]: 1-based track indices, filled from the left, 0 = none."""
        if self._text is not None:
            self._write_recsys(playlist_ids, lists)
            return
        rows, cols = np.nonzero(lists > 0)
        table = pa.table(
            {
                "playlist_id": pa.array(playlist_ids, pa.string()).take(pa.array(rows)),
                "track_id": self.track_ids.take(pa.array(lists[rows, cols] - 1)),
                "rank": pa.array((cols + 1).astype(np.int32)),
            },
            schema=self._schema,
        )
        assert self._arrow is not None
        self._arrow.write_table(table)

    def _write_recsys(self, playlist_ids: Sequence[str], lists: np.ndarray) -> None:
        assert self._text is not None
        uris = self._uris[np.maximum(lists, 1) - 1]
        counts = (lists > 0).sum(axis=1)
        full = counts == lists.shape[1]
        lines = [
            ", ".join([submission_pid(pid), *(row if ok else row[:n])])
            for pid, row, ok, n in zip(playlist_ids, uris, full, counts, strict=True)
        ]
        self._text.write("\n".join(lines) + "\n")

    def close(self) -> None:
        if self._arrow is not None:
            self._arrow.close()
        if self._sink is not None:
            self._sink.close()
        if self._text is not None:
            self._text.close()  # a GzipFile leaves the file it wrote into open
            self._raw.close()


def check_team(team: str, email: str) -> None:
    """The submission's ``team_info`` line: a team name and an email, neither with a comma."""
    for label, value in (("team name", team), ("email", email)):
        if not value or any(c in value for c in ",\r\n"):
            raise BatchFileError(f"the {label} must be non-empty, without commas")


def submission_pid(playlist_id: str) -> str:
    """The challenge wants MPD pids: an imported MPD playlist ``mpd:<pid>`` is written as pid."""
    return playlist_id[len(MPD_PREFIX) :] if playlist_id.startswith(MPD_PREFIX) else playlist_id
