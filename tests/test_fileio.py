"""kg.fileio.built_beside: a folder or a file built beside its target and moved in, or
nothing left behind."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kg.errors import KgError
from kg.fileio import built_beside, umask


class Failed(Exception):
    pass


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_folder_is_moved_in_with_ordinary_permissions(tmp_path):
    target = tmp_path / "out"
    with built_beside(target, folder=True) as tmp:
        assert tmp.parent == tmp_path and tmp.is_dir() and not target.exists()
        (tmp / "a.csv").write_text("x\n", encoding="utf-8")
    assert listing(tmp_path) == ["out"] and (target / "a.csv").read_text(encoding="utf-8") == "x\n"
    assert target.stat().st_mode & 0o777 == 0o777 & ~umask()  # not mkdtemp's 0700


def test_a_folder_replaces_an_empty_folder(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    with built_beside(target, folder=True) as tmp:
        (tmp / "a.csv").write_text("x\n", encoding="utf-8")
    assert listing(tmp_path) == ["out"] and listing(target) == ["a.csv"]


@pytest.mark.parametrize("fault", [Failed, KeyboardInterrupt])
def test_a_failed_folder_leaves_the_earlier_folder_and_no_temporary(tmp_path, fault):
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(fault):
        with built_beside(target, folder=True) as tmp:
            (tmp / "sub").mkdir()
            (tmp / "sub" / "half.csv").write_text("x", encoding="utf-8")
            raise fault()
    assert listing(tmp_path) == ["out"] and listing(target) == []


def test_a_folder_that_cannot_be_moved_in_leaves_the_target_and_no_temporary(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "kept.csv").write_text("old", encoding="utf-8")  # rename(2) replaces no full folder
    with pytest.raises(OSError):
        with built_beside(target, folder=True) as tmp:
            (tmp / "new.csv").write_text("new", encoding="utf-8")
    assert listing(tmp_path) == ["out"] and (target / "kept.csv").read_text(encoding="utf-8") == "old"
    assert listing(target) == ["kept.csv"]


def write_db(path: Path, value: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (v TEXT)")
        db.execute("INSERT INTO t VALUES (?)", [value])
    db.close()


def read_db(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT v FROM t").fetchone()[0]
    finally:
        db.close()


def test_a_file_replaces_the_earlier_file_and_its_folder_goes(tmp_path):
    target = tmp_path / "seeds.db"
    write_db(target, "old")
    with built_beside(target, folder=False) as tmp:
        assert tmp.name == "seeds.db" and tmp.parent.parent == tmp_path and not tmp.exists()
        write_db(tmp, "new")
        (tmp.parent / "seeds.db-journal").write_text("left by the writer", encoding="utf-8")
    assert listing(tmp_path) == ["seeds.db"] and read_db(target) == "new"
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask()


def test_a_failed_file_keeps_the_earlier_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "seeds.db"
    write_db(target, "old")
    with pytest.raises(Failed):
        with built_beside(target, folder=False) as tmp:
            write_db(tmp, "half")
            raise Failed()
    assert listing(tmp_path) == ["seeds.db"] and read_db(target) == "old"


def test_a_file_never_written_keeps_the_earlier_file(tmp_path):
    target = tmp_path / "seeds.db"
    write_db(target, "old")
    with pytest.raises(FileNotFoundError):
        with built_beside(target, folder=False):
            pass
    assert listing(tmp_path) == ["seeds.db"] and read_db(target) == "old"


def test_the_folder_of_a_new_target_is_made_and_a_file_in_the_way_is_one_line(tmp_path):
    with built_beside(tmp_path / "new" / "deeper" / "out", folder=True) as tmp:
        (tmp / "a").write_text("x", encoding="utf-8")
    assert (tmp_path / "new" / "deeper" / "out" / "a").exists()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(KgError, match="is a file, not a folder"):
        with built_beside(tmp_path / "file" / "out", folder=True):
            pass
    assert listing(tmp_path) == ["file", "new"]
