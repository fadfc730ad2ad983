"""Which folders are kg stores, and which entries in one are kg's to delete.

A store carries a marker, STORE/kg-store.json, written when kg creates the store. kg
writes into a folder only if it is new, empty or marked (or is a store of a kg from
before the marker, recognised by its `current` link to a build of kg's naming, and
marked then), and deletes inside it only entries named as kg names them. A folder that
happens to hold `db-photos/`, `cache/` or `statements.sqlite` is refused, never emptied.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

from kg.errors import StoreError

MARKER = "kg-store.json"
# db-<UTC time>-<8 hex>, the name kg gives each build's database folder (and .partial while written).
BUILD_DIR = re.compile(r"db-\d{8}T\d{6}-[0-9a-f]{8}")
PARTIAL_BUILD = re.compile(BUILD_DIR.pattern + r"\.partial")
SPILL_DIR = re.compile(r"\.spill-[A-Za-z0-9_]+")  # a full build's graph on disk (tempfile's names)
PARTIAL_STATEMENTS = re.compile(r"\.statements-[0-9a-f]{8}\.sqlite")
CACHE_VERSION = re.compile(r"[0-9a-f]{16}")  # kg.cache: one folder per extractor fingerprint


class NotAStore(StoreError):
    pass


def is_store(path: str | os.PathLike) -> bool:
    """A kg store folder (what `--db` names), marked or from before the marker."""
    p = Path(path)
    return p.is_dir() and ((p / MARKER).is_file() or _unmarked_store(p))


def claim(path: str | os.PathLike) -> None:
    """Make `path` a store kg may write: create and mark it if new or empty, mark a store
    from before the marker; refuse any other folder, and a file."""
    p = Path(path)
    if (error := not_a_folder(p)) is not None:
        raise error
    if (p / MARKER).is_file():
        return
    if p.exists() and any(p.iterdir()) and not _unmarked_store(p):
        raise NotAStore(f"{p}: not a kg store (it holds other files, and no {MARKER}); choose a new or empty folder")
    p.mkdir(parents=True, exist_ok=True)
    from kg import __version__

    marker = {"kg_store": 1, "created_by": f"kg {__version__}",
              "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    (p / MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")


def not_a_folder(path: Path) -> NotAStore | None:
    """The error for a store path that names a file, not a folder (None if it does not)."""
    if path.exists() and not path.is_dir():
        return NotAStore(f"{path}: is a file, not a kg store (a store is the folder kg build makes)")
    return None


def own(folder: Path, pattern: re.Pattern) -> list[Path]:
    """The entries of `folder` whose names are kg's `pattern`: the only ones kg deletes."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if pattern.fullmatch(p.name))


def _unmarked_store(p: Path) -> bool:
    """A store of a kg from before the marker: `current` links to a build folder of kg's
    naming, inside the store, holding its build.json."""
    link = p / "current"
    if not link.is_symlink():
        return False
    target = os.readlink(link)
    return BUILD_DIR.fullmatch(target) is not None and (p / target / "build.json").is_file()
