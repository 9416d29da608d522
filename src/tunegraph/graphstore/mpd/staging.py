"""MPD slice files as the CSV files Neo4j's offline importer reads (``import mpd --bulk``).

The offline importer wants every node exactly once and typed headers; it reads files, so
nothing has to fit in memory but the ids seen so far. Parsing runs in a ``SlicePool`` of
``workers`` processes, each writing its slice's playlists and CONTAINS rows itself; the
parent keeps the set of track, artist and album ids already written (memory grows with
the distinct ids, not with the number of files) and writes each of them once, with its
BY and ON.

The graph is the one ``transactional.import_mpd`` writes, property for property: a test
imports the same files both ways and compares the two graphs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from tunegraph.datasets.mpd import MpdFormatError, MpdPlaylist
from tunegraph.graphstore.mpd.offline import InputGroup
from tunegraph.graphstore.mpd.slices import (
    FileResult,
    ProgressCallback,
    ProgressTally,
    SlicePool,
    TrackRow,
    checked_playlists,
    duplicate_message,
    file_key,
    file_sha256,
    mpd_playlist_id,
    playlist_properties,
    read_error,
    slice_identity,
    track_row,
)


@dataclass(frozen=True)
class FileGroup:
    """One node label or relationship type: its header and the folder of its data files."""

    name: str
    entity: str  # "nodes" | "relationships"
    label: str  # node label or relationship type
    header: tuple[str, ...]


GROUPS: dict[str, FileGroup] = {
    g.name: g
    for g in (
        FileGroup("playlists", "nodes", "Playlist", (
            "id:ID(Playlist)", "name", "description", "followers:long", "modified_at:long",
            "collaborative:boolean", "pid:long", "source", "mpd_file", "num_tracks:long",
        )),
        FileGroup("tracks", "nodes", "Track", ("id:ID(Track)", "name", "duration_ms:long")),
        FileGroup("artists", "nodes", "Artist", ("id:ID(Artist)", "name")),
        FileGroup("albums", "nodes", "Album", ("id:ID(Album)", "name")),
        FileGroup("import_files", "nodes", "ImportFile", (
            "id:ID(ImportFile)", "kind", "path", "sha256", "status", "playlists:long",
            "rows:long", "imported_at:datetime",
        )),
        FileGroup("contains", "relationships", "CONTAINS",
                  (":START_ID(Playlist)", ":END_ID(Track)", "position:long")),
        FileGroup("by", "relationships", "BY",
                  (":START_ID(Track)", ":END_ID(Artist)", "position:long")),
        FileGroup("on", "relationships", "ON", (":START_ID(Track)", ":END_ID(Album)")),
    )
}  # fmt: skip

MULTILINE = "multiline"  # file name suffix of rows with a line break inside a value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):  # always quoted, so "" stays an empty string, not null
        return '"' + value.replace('"', '""') + '"'
    return str(value)


class GroupWriter:
    """Appends rows of one group; rows with a line break go to a separate multiline file.

    The importer parses multiline files more slowly, so only the rare rows that need it
    (a playlist description with a newline) pay for it.
    """

    def __init__(self, folder: Path, group: FileGroup, part: str) -> None:
        self.folder, self.group, self.part = folder / group.name, group, part
        self.folder.mkdir(parents=True, exist_ok=True)
        self._files: dict[bool, IO[str]] = {}
        self.rows = 0

    def _file(self, multiline: bool) -> IO[str]:
        fh = self._files.get(multiline)
        if fh is None:
            suffix = f".{MULTILINE}.csv.partial" if multiline else ".csv.partial"
            name = self.part + suffix
            fh = self._files[multiline] = (self.folder / name).open("w", encoding="utf-8")
        return fh

    def write(self, row: tuple[Any, ...]) -> None:
        line = ",".join([_cell(v) for v in row])
        self._file("\n" in line or "\r" in line).write(line + "\n")
        self.rows += 1

    def write_plain(self, lines: list[str]) -> None:
        """Lines the caller formatted and knows hold no line break (the hot path)."""
        self._file(False).writelines(lines)
        self.rows += len(lines)

    def commit(self) -> None:
        """Close and publish the files (a failed slice publishes nothing)."""
        for fh in self._files.values():
            fh.close()
            Path(fh.name).rename(fh.name.removesuffix(".partial"))
        self._files.clear()

    def discard(self) -> None:
        for fh in self._files.values():
            fh.close()
            Path(fh.name).unlink(missing_ok=True)
        self._files.clear()


@dataclass
class StagedSlice:
    """What a worker did with one slice (picklable: it crosses processes)."""

    path: str
    key: str
    sha256: str = ""
    playlists: int = 0
    rows: int = 0
    tracks: list[TrackRow] = field(default_factory=list)  # distinct within the slice
    pids: list[int] = field(default_factory=list)  # the playlists staged
    error: str | None = None


def stage_slice(
    path: str, folder: str, part: str, leave_out: frozenset[int] = frozenset()
) -> StagedSlice:
    """Validate one slice and write its playlists and CONTAINS rows; nothing if it is bad.

    The pids in ``leave_out`` (imported from another file) contribute their tracks only.
    """
    file = Path(path)
    out = StagedSlice(path=path, key=file_key(file))
    playlists = GroupWriter(Path(folder), GROUPS["playlists"], part)
    contains = GroupWriter(Path(folder), GROUPS["contains"], part)
    tracks: dict[str, TrackRow] = {}
    identity = slice_identity(file)
    try:
        out.sha256 = file_sha256(file)
        for playlist in checked_playlists(file):
            if playlist.pid in leave_out:
                tracks.update((t.track_id, track_row(t)) for t in playlist.tracks
                              if t.track_id not in tracks)  # fmt: skip
                continue
            out.pids.append(playlist.pid)
            _stage_playlist(playlist, playlists, contains, tracks, identity)
    except (MpdFormatError, OSError) as exc:
        playlists.discard()
        contains.discard()
        error = read_error(path, exc) if isinstance(exc, OSError) else str(exc)
        return StagedSlice(path=path, key=out.key, error=error)
    playlists.commit()
    contains.commit()
    out.playlists, out.rows, out.tracks = playlists.rows, contains.rows, list(tracks.values())
    return out


def _stage_playlist(
    playlist: MpdPlaylist,
    playlists: GroupWriter,
    contains: GroupWriter,
    tracks: dict[str, TrackRow],
    identity: str,
) -> None:
    """The playlist's row and CONTAINS rows; its tracks not yet in ``tracks``."""
    pid = mpd_playlist_id(playlist.pid)
    lines = []
    for track in playlist.tracks:
        tid = track.track_id
        if tid.isalnum():  # every real Spotify id: no quoting needed
            lines.append(f'"{pid}","{tid}",{track.pos}\n')
        else:
            contains.write((pid, tid, track.pos))
        if tid not in tracks:
            tracks[tid] = track_row(track)
    contains.write_plain(lines)
    row = playlist_properties(playlist, identity).values()
    playlists.write((pid, *row, len(playlist.tracks)))


class _Entities:
    """Writes each track, artist and album once across all slices, with BY and ON."""

    def __init__(self, folder: Path) -> None:
        self.writers = {
            name: GroupWriter(folder, GROUPS[name], "entities")
            for name in ("tracks", "artists", "albums", "by", "on", "import_files")
        }
        self.seen: dict[str, set[str]] = {"tracks": set(), "artists": set(), "albums": set()}
        self.records: dict[str, tuple[Any, ...]] = {}

    def add(self, staged: StagedSlice) -> None:
        w, tracks, artists, albums = self.writers, *self.seen.values()
        for tid, name, duration, artist_id, artist_name, album_id, album_name in staged.tracks:
            if tid in tracks:
                continue
            tracks.add(tid)
            w["tracks"].write((tid, name, duration))
            w["by"].write((tid, artist_id, 0))
            w["on"].write((tid, album_id))
            if artist_id not in artists:
                artists.add(artist_id)
                w["artists"].write((artist_id, artist_name))
            if album_id not in albums:
                albums.add(album_id)
                w["albums"].write((album_id, album_name))
        # One record per file name, the later file's (as the transactional MERGE leaves it):
        # two folders may hold slices of the same name.
        self.records[staged.key] = (
            staged.key, "mpd", staged.path, staged.sha256, "complete", staged.playlists,
            staged.rows, datetime.now(UTC).isoformat(),
        )  # fmt: skip

    def commit(self) -> None:
        for record in self.records.values():
            self.writers["import_files"].write(record)
        for writer in self.writers.values():
            writer.commit()


@dataclass
class Staging:
    """The staged folder and what went into it."""

    folder: Path
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files if f.status == "imported")

    def input_groups(self) -> list[InputGroup]:
        """The importer's --nodes/--relationships groups for what was staged."""
        groups = []
        for group in GROUPS.values():
            folder = self.folder / group.name
            files = sorted(folder.glob("*.csv")) if folder.exists() else []
            multiline = tuple(f for f in files if f.name.endswith(f".{MULTILINE}.csv"))
            plain = [f"{folder}/[0-9a-z]+\\.csv"] if len(files) > len(multiline) else []
            header = self.folder / f"{group.name}.header.csv"
            header.write_text(",".join(group.header) + "\n", encoding="utf-8")
            groups.append(InputGroup(group.entity, group.label, header, tuple(plain), multiline))
        return groups


def _remove_part(folder: Path, part: str) -> None:
    """A slice's staged playlists and CONTAINS files, to stage it again."""
    for name in ("playlists", "contains"):
        for staged in (folder / name).glob(f"{part}.*"):
            staged.unlink()


def stage_mpd(
    files: list[Path],
    folder: Path,
    workers: int = 2,
    on_progress: ProgressCallback | None = None,
) -> Staging:
    """Stage every slice into ``folder``; bad files are reported in the result, not raised."""
    staging = Staging(folder)
    entities = _Entities(folder)
    tally = ProgressTally(len(files), on_progress)
    jobs = [(str(path), str(folder), f"{index:06d}") for index, path in enumerate(files)]
    first: dict[int, str] = {}  # pid → the file that staged it (files are staged in parallel)
    with SlicePool[StagedSlice](workers) as pool:
        for (path, _, part), future in zip(jobs, pool.in_order(stage_slice, jobs), strict=True):
            staged = future.result()
            if staged.error:
                staging.files.append(FileResult(staged.path, "failed", error=staged.error))
                tally.add(files=1, current=staged.path)
                continue
            repeated = {pid: first[pid] for pid in staged.pids if pid in first}
            if repeated:  # rare: stage the slice again without them
                _remove_part(folder, part)
                staged = stage_slice(path, str(folder), part, frozenset(repeated))
            identity = slice_identity(staged.path)
            first.update((pid, identity) for pid in staged.pids)
            entities.add(staged)
            refused = [duplicate_message(p, staged.path, f) for p, f in sorted(repeated.items())]
            staging.files.append(
                FileResult(staged.path, "imported", staged.playlists, staged.rows, refused=refused)
            )
            tally.add(staged.playlists, staged.rows, files=1, current=staged.path)
    entities.commit()
    staging.seconds = tally.seconds
    return staging
