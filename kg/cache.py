"""Extraction results by document hash, so a rebuild extracts only new or changed notices.

Entries are keyed by the SHA-256 of a document's bytes and by a fingerprint of the
extraction code and its data: changing an extractor invalidates every entry.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import zlib
from functools import lru_cache
from pathlib import Path

import kg
from kg.errors import printable

_EXTRACTION_SOURCES = ("read.py", "feeds.py", "normalize.py", "gazetteer.py", "extract", "data")


# What does not shape a record or a row of the store: the commands, the pictures, and the
# queries that read a store. Everything else in kg (and the graph model) does.
_PRESENTATION = ("cli", "viz", "cypher", "sparql")


def _fingerprint(names) -> str:
    """Hash of the .py and .json files of kg at `names` (files or folders), with their paths."""
    root = Path(kg.__file__).parent
    h = hashlib.sha256()
    for name in names:
        path = root / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            if f.suffix in {".py", ".json"} and "__pycache__" not in f.parts:
                h.update(f.relative_to(root).as_posix().encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=1)
def extractor_fingerprint() -> str:
    """Hash of the code and data that make a record."""
    return _fingerprint(_EXTRACTION_SOURCES)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of all code and data that shape a store's rows: the extractors, resolution,
    the graph model, the bulk and incremental writers, themes, co-citation … (all of kg
    but its commands, pictures and named queries). A store built by other code is rebuilt
    in full, never mixed with rows of this code."""
    root = Path(kg.__file__).parent
    return _fingerprint(sorted(p.name for p in root.iterdir() if p.name not in _PRESENTATION
                               and (p.is_dir() or p.suffix in {".py", ".json"}) and p.name != "__pycache__"))


class ExtractionCache:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.version = extractor_fingerprint()

    def _path(self, sha256: str) -> Path:
        return self.folder / self.version / sha256[:2] / f"{sha256}.json.gz"

    def get(self, sha256: str, source: str) -> dict | None:
        try:
            record = json.loads(zlib.decompress(self._path(sha256).read_bytes(), wbits=31))
        except (FileNotFoundError, json.JSONDecodeError, zlib.error, UnicodeDecodeError):
            return None
        record["source"] = printable(source)  # the same bytes may sit under another name now
        return record

    def put(self, record: dict) -> None:
        path = self._path(record["sha256"])
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                # gzip (wbits 31), level 1: records are long, repetitive JSON; 383 MB for 10 000 notices
                # uncompressed. json.dumps, not json.dump to a file: that is pure Python, 10× slower.
                f.write(zlib.compress(json.dumps(record, ensure_ascii=False).encode("utf-8"), level=1, wbits=31))
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def prune_other_versions(self) -> None:
        """Entries made by older extractors are never read again."""
        import shutil

        from kg.store_folder import CACHE_VERSION, own

        for other in own(self.folder, CACHE_VERSION):  # only folders of kg's naming
            if other.is_dir() and other.name != self.version:
                shutil.rmtree(other, ignore_errors=True)
