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
from functools import lru_cache
from pathlib import Path

import kg
from kg.errors import printable

_EXTRACTION_SOURCES = ("read.py", "normalize.py", "gazetteer.py", "extract", "data")


@lru_cache(maxsize=1)
def extractor_fingerprint() -> str:
    """Hash of the code and data that make a record."""
    root = Path(kg.__file__).parent
    h = hashlib.sha256()
    for name in _EXTRACTION_SOURCES:
        path = root / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            if f.suffix in {".py", ".json"}:
                h.update(f.relative_to(root).as_posix().encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:16]


class ExtractionCache:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.version = extractor_fingerprint()

    def _path(self, sha256: str) -> Path:
        return self.folder / self.version / sha256[:2] / f"{sha256}.json"

    def get(self, sha256: str, source: str) -> dict | None:
        try:
            record = json.loads(self._path(sha256).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        record["source"] = printable(source)  # the same bytes may sit under another name now
        return record

    def put(self, record: dict) -> None:
        path = self._path(record["sha256"])
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(json.dumps(record, ensure_ascii=False))  # json.dump to a file is pure Python: 10× slower
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def prune_other_versions(self) -> None:
        """Entries made by older extractors are never read again."""
        if self.folder.is_dir():
            import shutil

            for other in self.folder.iterdir():
                if other.is_dir() and other.name != self.version:
                    shutil.rmtree(other, ignore_errors=True)
