"""Files a command writes (``recommend --out``, ``evaluate --json/--plot``, ``viz crawl --out``):
the rules of ``tunegraph.outputs`` for one file.

``check_output_file`` refuses, in one line (``OutputError``), a path that is a symbolic
link, a folder or anything else that is not a regular file (a character device such as
``/dev/null``, a FIFO, a socket), a path inside another command's output (a folder
holding the marker ``.tunegraph-output.json``: a model, an export; a folder written in
place, such as the demo's, only for the names it declared), and the command's own input.

``publish_file`` yields a hidden temporary sibling (``.X.tunegraph-new-…``) that replaces
the file in one rename only if the block succeeds, keeping the replaced file's mode. The
temporary file is locked (``flock``) while its writer lives, so the next writer of the
same file removes the ones a ``kill -9`` left behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from tunegraph.outputs import (
    MARKER,
    cannot_write,
    check_ancestors,
    locked,
    new_sibling,
    read_marker,
    write_errors,
)

__all__ = ["check_output_file", "image_format", "publish_file"]

_KINDS = (
    (stat.S_ISDIR, "a folder, not a file"),
    (stat.S_ISCHR, "a character device, not a regular file"),
    (stat.S_ISBLK, "a block device, not a regular file"),
    (stat.S_ISFIFO, "a FIFO (named pipe), not a regular file"),
    (stat.S_ISSOCK, "a socket, not a regular file"),
)


def _not_regular(mode: int) -> str | None:
    """Why a file of this mode must not be replaced, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((why for test, why in _KINDS if test(mode)), "not a regular file")


def _owner_of(target: Path) -> str | None:
    """The command whose output folder holds ``target``, unless that folder was written in
    place (``claim_dir``) and declared ``target``'s name as its own."""
    real = Path(os.path.realpath(target.parent)) / target.name
    for folder in real.parents:
        if not (folder / MARKER).exists():
            continue
        marker = read_marker(folder) or {}
        if "trees" in marker and real.relative_to(folder).as_posix() in marker["files"]:
            return None
        return f"`tunegraph {marker.get('kind', '…')}` ({folder})"
    return None


def check_output_file(path: Path | str, inputs: Iterable[Path | str | None] = ()) -> Path:
    """The absolute file to write, if replacing it cannot lose what is not this command's.

    ``inputs``: the files this command reads (``--playlists``); the output must be none of them.
    """
    target = Path(os.path.abspath(path))
    check_ancestors(target, path)
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise cannot_write(path, exc.strerror or str(exc)) from None
    if mode is not None and stat.S_ISLNK(mode):
        raise cannot_write(path, "it is a symbolic link; give the file itself")
    why = None if mode is None else _not_regular(mode)
    if why:
        raise cannot_write(path, f"it is {why}")
    owner = _owner_of(target)
    if owner:
        raise cannot_write(path, f"it is inside the output of {owner}; choose a file outside it")
    for given in inputs:
        if given is not None and mode is not None and _same(target, Path(given)):
            raise cannot_write(path, f"it is this command's input ({given}); choose another file")
    return target


def _same(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        return os.path.samefile(a, b)
    return False


def _temp_pattern(target: Path) -> re.Pattern[str]:
    return re.compile(rf"^\.{re.escape(target.name)}\.tunegraph-new-[A-Za-z0-9_]+$")


def _remove_dead_temps(target: Path) -> None:
    """Temporary files of ``target`` whose writer died (no lock held); the parent is locked."""
    pattern = _temp_pattern(target)
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            if pattern.match(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW)
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        os.unlink(entry.path)
                    finally:
                        os.close(fd)


def _new_temp(target: Path, replacing: bool) -> tuple[Path, int]:
    """A fresh locked temporary sibling: 0600 while a file is being replaced (its mode is
    set at the end), else the mode a new file gets (the umask's)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with locked(target.parent):
        _remove_dead_temps(target)
        fds: list[int] = []
        flags, mode = os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if replacing else 0o666
        tmp = new_sibling(target, lambda path: fds.append(os.open(path, flags, mode)))
        fcntl.flock(fds[0], fcntl.LOCK_EX)
    return tmp, fds[0]


def _replace(tmp: Path, fd: int, target: Path, shown: Path | str) -> None:
    """Rename ``tmp`` onto ``target``, still a regular file (or absent), its mode kept."""
    with locked(target.parent):
        try:
            mode = os.lstat(target).st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None:
            why = "a symbolic link" if stat.S_ISLNK(mode) else _not_regular(mode)
            if why:
                raise cannot_write(shown, f"it became {why} while this command wrote it")
            os.fchmod(fd, stat.S_IMODE(mode))
        os.replace(tmp, target)


@contextlib.contextmanager
def publish_file(path: Path | str, inputs: Iterable[Path | str | None] = ()) -> Iterator[Path]:
    """Yield a temporary sibling of the file ``path`` (checked by ``check_output_file``),
    renamed onto it only if the block succeeds: the file is the old one or the new one,
    never half-written, and keeps its mode."""
    target = check_output_file(path, inputs)
    with write_errors(path):
        tmp, fd = _new_temp(target, replacing=target.exists())
    try:
        with write_errors(path, tmp):
            yield tmp
        with write_errors(path):
            _replace(tmp, fd, target, path)
    finally:
        os.close(fd)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def image_format(path: Path | str) -> str:
    """The picture format a file's name asks for (``png`` when it names none): the picture
    is drawn into the temporary sibling, whose name says nothing."""
    return Path(path).suffix.lstrip(".").lower() or "png"
