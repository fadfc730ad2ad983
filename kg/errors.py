"""Errors a user can cause. The CLI catches KgError once and prints its message."""
from __future__ import annotations

import os


def printable(path: str | os.PathLike) -> str:
    """A file name as kg prints and stores it: bytes of a name that are not UTF-8 (a GBK
    name, kept by Python as surrogates) written as \\xNN, so JSON, SQLite, LadybugDB and a
    terminal take it. The one place such names are escaped."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """A count and its noun as a message says it: "1 organization", "0 notices", "2 entries"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def none_read(n: int) -> str:
    """That none of `n` notices could be read: "the notice could not be read" for one."""
    return "the notice could not be read" if n == 1 else f"none of the {n} notices could be read"


class KgError(Exception):
    """Base of every error kg reports to a user as one line."""


class InputError(KgError):
    """A file or input that cannot be read, decoded or understood."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{printable(source)}: {reason}")
        self.source = source
        self.reason = reason


class StoreError(KgError):
    """A store that cannot be read or written as asked."""
