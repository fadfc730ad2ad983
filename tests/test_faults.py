"""Faults of the machine and the user's surroundings, not of the notices: a full or
read-only disk, a store path that is a file, a curation file nested thousands deep,
Ctrl-C. Each is one line `kg: …` and an exit code other than 0, never a traceback, and
what was there before (the store, the output file) is kept."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SEEDS, seed

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


@pytest.fixture
def disk(tmp_path):
    """A small disk of its own (tmpfs), to fill or make read-only."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs to fill (needs root): {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def fill(folder: Path, leave: int) -> None:
    """Fill the disk of `folder` but for about `leave` bytes."""
    free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
    with open(folder / "filler", "wb", buffering=0) as f:
        try:
            f.write(b"\0" * max(0, free - leave))
            if not leave:
                while True:
                    f.write(b"\0" * 4096)
        except OSError:
            pass


@pytest.fixture
def notices(tmp_path) -> Path:
    return copies(tmp_path / "notices")


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("store") / "seeds.kg"
    assert kg("build", SEEDS, "--db", db).returncode == 0
    return db


def _writes(store: Path, notices: Path, target: Path) -> dict[str, list]:
    """The commands that write `target` (a file) from the store or the notices."""
    return {
        "export": ["export", store, "--out", target.with_suffix(".jsonl")],
        "export-turtle": ["export", store, "--out", target.with_suffix(".ttl")],
        "viz-png": ["viz", "recurrence", "--db", store, "--out", target.with_suffix(".png")],
        "viz-html": ["viz", "recurrence", "--db", store, "--out", target.with_suffix(".html")],
        "extract": ["extract", notices, "--out", target.with_suffix(".jsonl")],
        "export-sqlite": ["export", store, "--out", target.with_suffix(".db")],
    }


WRITES = ["export", "export-turtle", "viz-png", "viz-html", "extract", "export-sqlite"]


@pytest.mark.parametrize("command", WRITES)
def test_a_full_disk_under_an_output_file_is_one_line_and_keeps_the_old_file(disk, store, notices, command):
    args = _writes(store, notices, disk / "out")[command]
    out = Path(args[-1])
    out.write_text("old", encoding="utf-8")
    fill(disk, 0)
    one_line(kg(*args), f"kg: {out}: ", "the disk is full (ENOSPC)")
    assert out.read_text(encoding="utf-8") == "old"
    assert not [p.name for p in disk.iterdir() if p.name.startswith(".kg-")]  # no temporary left


@pytest.mark.parametrize("leave", [0, 500_000, 2_000_000], ids=["full", "500k-free", "2M-free"])
@pytest.mark.parametrize("full", [True, False], ids=["full-build", "incremental"])
def test_a_full_disk_during_a_build_is_one_line_and_keeps_the_store(disk, notices, leave, full):
    db = disk / "seeds.kg"
    assert kg("build", notices, "--db", db).returncode == 0
    edited = notices / seed("002").name
    edited.write_text(edited.read_text(encoding="utf-8") + "\n（补充）\n", encoding="utf-8")
    fill(disk, leave)
    one_line(kg("build", notices, "--db", db, *(["--full"] if full else [])),
             f"kg: {db}: cannot write the store: the disk is full (ENOSPC); the store was left as it was")
    assert documents_in(db) == 5
    (disk / "filler").unlink()
    assert kg("build", notices, "--db", db).returncode == 0  # and the next build completes


def test_a_read_only_store_is_one_line_and_still_read(disk, notices, store):
    db = disk / "seeds.kg"
    assert kg("build", notices, "--db", db).returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    one_line(kg("build", notices, "--db", db, "--full"),
             f"kg: {db}: cannot write the store: the file system is read-only (EROFS)")
    one_line(kg("build", notices, "--db", disk / "new.kg"), "read-only (EROFS)")
    for args in _writes(store, notices, disk / "out").values():
        one_line(kg(*args), "read-only (EROFS)")
    assert kg("stats", "--db", db).returncode == 0  # reading needs no write
    assert documents_in(db) == 5


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
        assert "the notice could not be read" in line and not (tmp_path / "x.jsonl").exists()
    else:
        assert "is a file, not a kg store" in line
    assert db.read_bytes().startswith(b"SQLite format 3")


@pytest.mark.parametrize("nesting", ["[", "{a = "])
def test_a_curation_file_nested_thousands_deep_is_one_line(tmp_path, store, nesting):
    deep = tmp_path / "kg-curation.toml"
    closing = {"[": "]", "{a = ": "}"}[nesting]
    deep.write_text("x = " + nesting * 5000 + ("1" if closing == "}" else "") + closing * 5000 + "\n", encoding="utf-8")
    one_line(kg("build", SEEDS, "--db", store, "--curation", deep), f"kg: {deep}: nested too deeply")
    assert documents_in(store) == 5


def test_ctrl_c_during_a_build_with_workers_is_one_line(tmp_path, store):
    """Ctrl-C reaches every process of the terminal's group: the parent says one line, the
    workers nothing, and the store built before is the one in use."""
    many = tmp_path / "many"
    many.mkdir()
    for i in range(200):
        text = sorted(SEEDS.glob("*.txt"))[i % 5].read_text(encoding="utf-8")
        (many / f"{i:03d}.txt").write_text(text + f"\n（第 {i} 份）\n", encoding="utf-8")
    build = subprocess.Popen([KG, "build", str(many), "--db", str(store), "--workers", "2"], env=QUIET,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    time.sleep(1.5)
    os.killpg(build.pid, signal.SIGINT)
    try:
        _, err = build.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(build.pid, signal.SIGKILL)
        pytest.fail("kg build did not stop on Ctrl-C")
    assert build.returncode == 130
    assert err.decode().strip().splitlines() == ["kg: aborted"]
    assert documents_in(store) == 5
