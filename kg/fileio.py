"""Atomic writes: a reader sees the old file (or folder) or the new one, never half of one."""
from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO, TypeVar

from kg.errors import KgError

T = TypeVar("T")

# Writes the disk refused: the user's to fix (free space, a writable place), not a bug of kg's.
DISK_ERRORS = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
               errno.EROFS: "the file system is read-only", errno.EFBIG: "the file is too large for its file system"}
# SQLite and LadybugDB say so in words, not by errno.
DISK_WORDS = (("database or disk is full", errno.ENOSPC), ("No space left on device", errno.ENOSPC),
              ("readonly database", errno.EROFS), ("Read-only file system", errno.EROFS))


# Free bytes below which a failed write is put down to a full disk.
FULL_DISK = 1024 * 1024


def disk_errno(e: BaseException) -> int | None:
    """The errno of DISK_ERRORS that `e` stands for, if any."""
    code = e.errno if isinstance(e, OSError) else next((c for words, c in DISK_WORDS if words in str(e)), None)
    return code if code in DISK_ERRORS else None


def disk_error(e: BaseException) -> str | None:
    """Why the disk refused a write, as "the disk is full (ENOSPC)", if `e` says it did; else None."""
    code = disk_errno(e)
    return None if code is None else f"{DISK_ERRORS[code]} ({errno.errorcode[code]})"


@contextlib.contextmanager
def writing(path: str | os.PathLike) -> Iterator[None]:
    """A write of `path` the disk refuses (full, read-only) is one line naming it: an
    OSError, or (a file written with sqlite3) SQLite's error that says so in words. Not
    LadybugDB's: a store read while writing `path` is not `path`."""
    try:
        yield
    except (OSError, sqlite3.Error) as e:
        if (reason := disk_error(e)) is None:
            raise
        raise KgError(f"{path}: cannot write: {reason}; the file was left as it was") from None


def umask() -> int:
    """The process's file-creation mask (reading it means setting it: set it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _beside(path: str | os.PathLike, make: Callable[[str], T]) -> T:
    """make(the folder of `path`): a temporary file or folder there, made with the folder
    (--out new/folder/file: make the folder, as build does); a place that cannot hold one
    is one line naming `path`."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(directory, exist_ok=True)
        return make(directory)
    except OSError as e:
        if os.path.isfile(directory):
            raise KgError(f"{path}: cannot write there ({directory} is a file, not a folder)") from None
        raise KgError(f"{path}: cannot write there: {disk_error(e) or e.strerror or e}") from None


@contextlib.contextmanager
def atomic_text(path: str | None) -> Iterator[TextIO]:
    """Write text to `path` via a temporary file renamed into place on success.

    None or "-" writes to stdout. On an exception the old file is left as it was."""
    if path in (None, "-"):
        yield sys.stdout
        sys.stdout.flush()
        return
    fd, tmp = _beside(path, lambda d: tempfile.mkstemp(prefix=".kg-", suffix=".tmp", dir=d))
    os.chmod(tmp, 0o666 & ~umask())  # mkstemp makes 0600; the result is an ordinary file
    try:
        with writing(path):
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                yield f
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def built_beside(target: str | os.PathLike, *, folder: bool) -> Iterator[Path]:
    """A path to build `target` at, beside it (the same file system: the move is a
    rename), moved onto it when the block ends without an exception.

    folder=True: the path is a new empty folder, which replaces `target` if that is an
    empty folder (rename(2) replaces an empty folder in one step, never a full one: the
    caller refuses those first). folder=False: the path names a file inside a temporary
    folder, so that what a writer puts beside it (SQLite's journal) goes with the folder;
    the file replaces `target`. Either ends with ordinary permissions (the umask's, not
    the temporary's 0700 or 0600). On an exception, or a failed move, nothing is left
    behind and `target` is as it was."""
    target = Path(target)
    tmp = Path(_beside(target, lambda d: tempfile.mkdtemp(prefix=".kg-", suffix=".tmp", dir=d)))
    try:
        built = tmp if folder else tmp / target.name
        yield built
        if folder:
            built.chmod(0o777 & ~umask())
        elif built.exists():
            built.chmod(0o666 & ~umask())
        os.replace(built, target)
    finally:  # after the move: the emptied folder of a file; else: everything built
        shutil.rmtree(tmp, ignore_errors=True)
