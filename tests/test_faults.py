"""Faults of the machine and the user's surroundings, not of the notices: a full or
read-only disk, a store path that is a file, a curation file nested thousands deep,
Ctrl-C. Each is one line `kg: …` and an exit code other than 0, never a traceback, and
what was there before (the store, the output file) is kept."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEEDS

KG = str(Path(sys.executable).with_name("kg"))
QUIET = {**os.environ, "KG_PROGRESS_EVERY": "3600"}  # no progress lines among the messages


def kg(*args) -> subprocess.CompletedProcess:
    return subprocess.run([KG, *map(str, args)], capture_output=True, timeout=300, env=QUIET)


def one_line(result, *words: str) -> str:
    err = result.stderr.decode()
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert result.returncode not in (0, None), err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: "), err
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def documents_in(db: Path) -> int:
    from kg.backends.embedded import EmbeddedStore

    return EmbeddedStore(db).counts()[0]["Document"]


def copies(folder: Path) -> Path:
    folder.mkdir()
    for path in sorted(SEEDS.glob("*.txt")):
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


@pytest.mark.parametrize("command", ["build", "query", "stats", "export", "viz", "explain"])
def test_a_store_that_is_a_file_is_one_line(tmp_path, command):
    db = tmp_path / "seeds.kg"
    db.write_bytes(b"SQLite format 3\x00\x10\x00\x01\x01")  # say, a database of another tool
    args = {"build": ["build", SEEDS, "--db", db], "query": ["query", "--db", db, "MATCH (n) RETURN count(n)"],
            "stats": ["stats", "--db", db], "export": ["export", db, "--out", tmp_path / "x.jsonl"],
            "viz": ["viz", "recurrence", "--db", db, "--out", tmp_path / "x.png"],
            "explain": ["explain", "--db", db, "巡察"]}[command]
    line = one_line(kg(*args), f"kg: {db}: ")
    if command == "export":  # a file given to export is a notice: this one is none
        assert "none of the 1 notices could be read" in line and not (tmp_path / "x.jsonl").exists()
    else:
        assert "is a file, not a kg store" in line
    assert db.read_bytes().startswith(b"SQLite format 3")
