"""Atomic file writes: a reader sees the old file or the new one, never half of one."""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from typing import TextIO

from kg.errors import KgError


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
        reason = f"{directory} is a file, not a folder" if os.path.isfile(directory) else e.strerror or str(e)
        raise KgError(f"{path}: cannot write there ({reason})") from None
    os.chmod(tmp, 0o666 & ~umask())  # mkstemp makes 0600; the result is an ordinary file
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
