"""Atomic file writes: a reader sees the old file or the new one, never half of one."""
from __future__ import annotations

import contextlib
import errno
import os
import sys
import tempfile
from collections.abc import Iterator
from typing import TextIO

from kg.errors import KgError

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
    """A write of `path` the disk refuses (full, read-only) is one line naming it."""
    try:
        yield
    except OSError as e:
        if (reason := disk_error(e)) is None:
            raise
        raise KgError(f"{path}: cannot write: {reason}; the file was left as it was") from None


def umask() -> int:
    """The process's file-creation mask (reading it means setting it: set it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_text(path: str | None) -> Iterator[TextIO]:
    """Write text to `path` via a temporary file renamed into place on success.

    None or "-" writes to stdout. On an exception the old file is left as it was."""
    if path in (None, "-"):
        yield sys.stdout
        sys.stdout.flush()
        return
    directory = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(directory, exist_ok=True)  # --out new/folder/file: make the folder, as build does
        fd, tmp = tempfile.mkstemp(prefix=".kg-", suffix=".tmp", dir=directory)
    except OSError as e:
        if os.path.isfile(directory):
            raise KgError(f"{path}: cannot write there ({directory} is a file, not a folder)") from None
        raise KgError(f"{path}: cannot write there: {disk_error(e) or e.strerror or e}") from None
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
