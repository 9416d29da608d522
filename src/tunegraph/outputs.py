"""Folders a command writes (export, model, MPD slices, demo): never lose a file we did not write.

Two helpers, used by every command that writes a folder:

* ``check_output_dir`` refuses, in one line (``OutputError``), an output folder that is a
  symbolic link, the current folder or one above it, a file, a path under a file, or a
  folder holding anything this command did not write. A folder is this command's own when
  it holds the marker ``.tunegraph-output.json`` that the command left there, naming the
  command and every file and folder it wrote; nothing else may be in it.
* ``publish_dir`` yields a fresh hidden staging folder beside the target; when the block
  ends without error the staging folder gets its marker and replaces the target in one
  step (Linux ``renameat2(RENAME_EXCHANGE)``, an atomic swap), else by two renames (old
  aside, new in). A crash between those two renames leaves the old folder aside and the
  new one complete; ``recover`` (run by the next writer and by readers that find the
  target missing) puts one of them back, so the target is always the old or the new
  folder, never a mix. On an error the staging folder is removed and the target untouched.

``reading`` pins a published folder for a reader (``load_model``): every file comes from
the folder it opened, and the swap removes the old folder only once its readers are done.
``claim_dir`` is for a folder written in place (the demo's): it checks the same way and
records the top-level names the command owns. ``tunegraph.output_file`` applies the same
rules to one file (``recommend --out``). No TensorFlow or Neo4j here.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import re
import secrets
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tunegraph.errors import TunegraphError

__all__ = [
    "MARKER",
    "OutputError",
    "SwapSteps",
    "about_output",
    "cannot_write",
    "check_ancestors",
    "check_output_dir",
    "claim_dir",
    "exchange_dirs",
    "locked",
    "new_sibling",
    "publish_dir",
    "read_marker",
    "reading",
    "recover",
    "write_errors",
]

MARKER = ".tunegraph-output.json"
_SIBLING = re.compile(r"^\.(?P<name>.+)\.tunegraph-(?P<tag>new|old)-[A-Za-z0-9_]+$")
_SHOWN = 3  # foreign entries named in an error


class OutputError(TunegraphError):
    """An output folder this command must not (or cannot) write; the message is one line."""


def exchange_dirs(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically (Linux ``renameat2``); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    function = getattr(libc, "renameat2", None)
    if function is None:
        return False
    function.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    at_fdcwd, rename_exchange = -100, 2
    if function(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


@dataclass(frozen=True)
class SwapSteps:
    """The file-system steps of a swap; a test passes its own to stop between two of them."""

    rename: Callable[[Path, Path], None] = os.rename
    exchange: Callable[[Path, Path], bool] = exchange_dirs


def cannot_write(path: Path | str, why: str) -> OutputError:
    return OutputError(f"cannot write to {path}: {why}")


_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS})


@contextlib.contextmanager
def write_errors(shown: Path | str, written: Path | None = None) -> Iterator[None]:
    """An ``OSError`` of writing the output ``shown`` becomes one "cannot write to" line.
    With ``written`` (a staging folder or temporary file the caller's block fills), only
    one about it (``about_output``): the caller's other errors pass as they are."""
    try:
        yield
    except OSError as exc:
        if written is not None and not about_output(exc, written):
            raise
        raise cannot_write(shown, exc.strerror or str(exc)) from None


def about_output(exc: OSError, written: Path) -> bool:
    """Whether an ``OSError`` raised while a command wrote ``written`` (its staging folder
    or temporary file) is about writing it: it names a path there, or, naming none, says
    the disk is full or read-only. Any other (an input that cannot be read) is not the
    output's, and is not reported as "cannot write"."""
    names = [n for n in (exc.filename, exc.filename2) if isinstance(n, (str, bytes, os.PathLike))]
    if not names:
        return exc.errno in _FULL
    inside = str(written).rstrip(os.sep)
    for name in names:
        full = os.path.abspath(os.fsdecode(name))
        if full == inside or full.startswith(inside + os.sep):
            return True
    return False


def read_marker(folder: Path) -> dict[str, Any] | None:
    try:
        marker = json.loads((folder / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) and isinstance(marker.get("files"), list) else None


def _foreign(folder: Path, marker: dict[str, Any] | None) -> list[str]:
    """Entries of ``folder`` (recursively) that its marker does not list, first few only."""
    files = {str(f) for f in (marker or {}).get("files", [])} | {MARKER, f"{MARKER}.tmp"}
    trees = {str(t) for t in (marker or {}).get("trees", [])}
    owned = files | trees
    found: list[str] = []
    for here, dirs, names in os.walk(folder):
        base = Path(here).relative_to(folder)
        for name in sorted(dirs + names):
            rel = (base / name).as_posix()
            sibling = _SIBLING.match(name)
            if rel in trees or (sibling and (base / sibling["name"]).as_posix() in owned):
                if name in dirs:
                    dirs.remove(name)  # owned whole: not walked
            elif rel not in files:
                found.append(rel)
                if name in dirs:
                    dirs.remove(name)
        if len(found) > _SHOWN:
            break
    return found


def check_ancestors(target: Path, shown: Path | str) -> None:
    """Refuse the current folder (or one above it) and a path under a file."""
    if target.parent == target:
        raise cannot_write(shown, "it is the root of the file system")
    with contextlib.suppress(OSError):
        here, real = os.path.realpath(os.getcwd()), os.path.realpath(target)
        if here == real or here.startswith(real.rstrip(os.sep) + os.sep):
            raise cannot_write(
                shown, "it is the current folder or holds it; choose a folder of its own"
            )
    for ancestor in target.parents:
        if ancestor.exists() or ancestor.is_symlink():
            if not ancestor.is_dir():
                what = "a file, not a folder" if ancestor.is_file() else "not a folder"
                raise cannot_write(shown, f"{ancestor} is {what}")
            return


def check_output_dir(path: Path | str, kind: str) -> Path:
    """The absolute folder to write, if writing it cannot lose a file ``kind`` did not write.

    ``kind`` names the command (``export``, ``train`` …): a folder it may replace is missing,
    empty, or one it wrote earlier (its marker) holding nothing else.
    """
    target = Path(os.path.abspath(path))
    check_ancestors(target, path)
    if target.is_symlink():
        raise cannot_write(
            path, f"it is a symbolic link (to {os.readlink(target)}); give the folder itself"
        )
    if not target.exists():
        return target
    if not target.is_dir():
        raise cannot_write(path, "it is a file, not a folder")
    try:
        if not any(target.iterdir()):
            return target
    except OSError as exc:
        raise cannot_write(path, exc.strerror or str(exc)) from None
    marker = read_marker(target)
    if marker is not None and marker.get("kind") != kind:
        raise cannot_write(
            path,
            f"it holds the output of `tunegraph {marker.get('kind')}`, not of `tunegraph {kind}`;"
            " choose another folder",
        )
    foreign = _foreign(target, marker)
    if foreign:
        more = ", …" if len(foreign) > _SHOWN else ""
        raise cannot_write(
            path,
            f"it holds what `tunegraph {kind}` did not write ({', '.join(foreign[:_SHOWN])}{more});"
            " remove that or choose another folder",
        )
    return target


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (the target's parent): one swap at a time."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _writer_alive(staging: Path) -> bool:
    """A staging folder's writer holds a lock on it until it ends (kill -9 included); so does
    a reader of a replaced folder (``reading``)."""
    try:
        fd = os.open(staging, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _siblings(target: Path) -> tuple[list[Path], list[Path]]:
    """Staging (new) and set-aside (old) folders of ``target`` left by earlier writers."""
    new: list[Path] = []
    old: list[Path] = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            match = _SIBLING.match(entry.name)
            if match and match["name"] == target.name and entry.is_dir(follow_symlinks=False):
                (new if match["tag"] == "new" else old).append(Path(entry.path))
    return new, old


def _recover_locked(target: Path) -> None:
    """Finish or undo a swap that a crash cut between its two renames (``target`` missing,
    the old folder set aside): the new folder goes in if complete, else the old one back.
    Then remove what dead writers left beside ``target``. The caller holds the parent's lock.
    """
    new, old = _siblings(target)
    dead = [s for s in new if not _writer_alive(s)]
    if old and not target.exists() and not target.is_symlink():
        aside = max(old, key=lambda s: s.stat().st_mtime_ns)
        twin = aside.with_name(aside.name.replace(".tunegraph-old-", ".tunegraph-new-"))
        complete = twin in dead and read_marker(twin) is not None
        os.rename(twin if complete else aside, target)
    for leftover in [*dead, *old]:
        if leftover.exists() and not _writer_alive(leftover):  # nor a reader (``reading``)
            shutil.rmtree(leftover, ignore_errors=True)


def recover(path: Path | str) -> None:
    """Repair ``path`` after a writer died mid-swap (readers call this when it is missing)."""
    target = Path(os.path.abspath(path))
    with contextlib.suppress(OSError), locked(target.parent):
        _recover_locked(target)


def _seal(staging: Path, kind: str) -> None:
    """Write the marker last: it lists everything written, and marks the folder complete."""
    files: list[str] = []
    for here, dirs, names in os.walk(staging):
        base = Path(here).relative_to(staging)
        files += [(base / n).as_posix() for n in dirs + names if n != MARKER or base.parts]
    marker = {"written_by": f"tunegraph {kind}", "kind": kind, "files": sorted(files)}
    (staging / MARKER).write_text(json.dumps(marker, indent=1), "utf-8")


def _swap(
    target: Path, staging: Path, shown: Path | str, kind: str, steps: SwapSteps
) -> Path | None:
    """Replace ``target`` by ``staging`` (complete); the caller holds the parent's lock.
    Returns where the old folder now lies, for ``_remove_unread`` once the lock is free."""
    _recover_locked(target)
    check_output_dir(shown, kind)  # someone may have put a file there since we started
    if not target.exists():
        steps.rename(staging, target)
        return None
    if steps.exchange(staging, target):
        return staging  # the old folder, now at the staging name
    aside = staging.with_name(staging.name.replace(".tunegraph-new-", ".tunegraph-old-"))
    steps.rename(target, aside)
    try:
        steps.rename(staging, target)
    except BaseException:
        if not target.exists():
            os.rename(aside, target)  # put the old one back
        raise
    return aside


def _remove_unread(old: Path) -> None:
    """Remove a replaced folder once no reader holds it (``reading``): a reader that opened
    it before the swap reads it whole; a reader after the swap gets the new one."""
    try:
        fd = os.open(old, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # waits for the readers' shared locks
        shutil.rmtree(old, ignore_errors=True)
    finally:
        os.close(fd)


@contextlib.contextmanager
def reading(folder: Path | str) -> Iterator[Path]:
    """Pin a published folder for reading: yields a path through an open descriptor of it
    (Linux ``/proc/self/fd``), so every file read through it comes from this one folder
    even if a writer swaps a new one in meanwhile; the shared lock held until the block
    ends keeps the writer from removing it while it is read. ``OSError`` if it cannot be
    opened."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        pinned = Path(f"/proc/self/fd/{fd}")
        yield pinned if pinned.is_dir() else Path(folder)
    finally:
        os.close(fd)


def new_sibling(target: Path, create: Callable[[Path], object]) -> Path:
    """A fresh hidden ``.NAME.tunegraph-new-…`` beside ``target``, made by ``create`` (which
    raises ``FileExistsError`` for a name taken: another is drawn)."""
    while True:
        sibling = target.with_name(f".{target.name}.tunegraph-new-{secrets.token_hex(6)}")
        try:
            create(sibling)
            return sibling
        except FileExistsError:
            continue


def _new_staging(target: Path) -> tuple[Path, int]:
    """A fresh staging folder beside ``target`` (mode as the umask says), locked by us."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with locked(target.parent):
        _recover_locked(target)
        staging = new_sibling(target, lambda path: path.mkdir())
        lock = os.open(staging, os.O_RDONLY)
        fcntl.flock(lock, fcntl.LOCK_EX)
    return staging, lock


@contextlib.contextmanager
def publish_dir(path: Path | str, kind: str, steps: SwapSteps | None = None) -> Iterator[Path]:
    """Yield an empty staging folder; on success it replaces ``path`` whole, in one step.

    ``path`` is checked first (``check_output_dir``) and again just before the swap.
    """
    target = check_output_dir(path, kind)
    with write_errors(path):
        staging, lock = _new_staging(target)
    old: Path | None = None
    try:
        with write_errors(path, staging):
            yield staging
        with write_errors(path):
            _seal(staging, kind)
            with locked(target.parent):
                old = _swap(target, staging, path, kind, steps or SwapSteps())
    finally:
        os.close(lock)
        if old is None:  # an unfinished copy (or nothing: a plain rename moved it in)
            shutil.rmtree(staging, ignore_errors=True)
    if old is not None:
        _remove_unread(old)


def claim_dir(path: Path | str, kind: str, files: Iterable[str], trees: Iterable[str]) -> Path:
    """Check ``path`` and mark it as written in place by ``kind``, owning ``files`` (names)
    and ``trees`` (folders owned whole, each published by its own command)."""
    target = check_output_dir(path, kind)
    marker = {"written_by": f"tunegraph {kind}", "kind": kind,
              "files": sorted(files), "trees": sorted(trees)}  # fmt: skip
    with write_errors(path):
        target.mkdir(parents=True, exist_ok=True)
        tmp = target / f"{MARKER}.tmp"
        tmp.write_text(json.dumps(marker, indent=1), "utf-8")
        os.replace(tmp, target / MARKER)
    return target
