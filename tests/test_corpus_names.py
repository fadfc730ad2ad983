"""Paths are not identity: the same corpus reached from another folder, by an absolute path
or through a symlink is the same corpus (no rebuild, the same Document.source), and kg
explain quotes the sentence from any folder, saying so when a file has moved. On a copy
of the seed notices, through the installed `kg`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.corpus import corpus_of, locate
from tests.conftest import SEEDS

KG = str(Path(sys.executable).with_name("kg"))
CITED = "中国共产党纪律处分条例"
SENTENCE = "整改情况:一是认真学习《中国共产党廉洁自律准则》【《中国共产党纪律处分条例》】等党纪党规,并严格执行。"


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([KG, *args], cwd=cwd, capture_output=True, timeout=300, env={**os.environ, "KG_DB": ""})
    assert result.returncode == 0, result.stderr.decode()
    return result


def sources(cwd: Path, db: str) -> list[str]:
    out = run(cwd, "query", "--db", db, "MATCH (d:Document) RETURN d.source ORDER BY d.source", "--format", "json")
    return [r["d.source"] for r in json.loads(out.stdout)]


@pytest.fixture
def corpus(tmp_path, seed_files) -> Path:
    """tmp/work/notices: the seeds; tmp/work/kg: a folder to run kg from."""
    notices = tmp_path / "work" / "notices"
    shutil.copytree(SEEDS, notices)
    (tmp_path / "work" / "kg").mkdir()
    return notices


def test_names_do_not_depend_on_how_the_folder_was_reached(corpus, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(corpus)
    files = sorted(p.name for p in corpus.glob("*.txt"))
    for folder in (str(corpus), os.path.relpath(corpus), str(link), str(corpus) + "/"):
        found = [os.path.join(folder.rstrip("/"), f) for f in files]
        names = corpus_of(found, [folder])
        assert [names.name(p) for p in found] == [f"notices/{f}" for f in files], folder
        assert names.roots == {"notices": str(corpus.resolve())}
    # Two folders of one name stay apart; a file given alone is named by its folder.
    other = tmp_path / "b" / "notices"
    other.mkdir(parents=True)
    both = corpus_of([str(corpus / files[0]), str(other / files[0])], [str(corpus), str(other)])
    assert sorted(both.names.values()) == [f"b/notices/{files[0]}", f"work/notices/{files[0]}"]
    assert locate(f"b/notices/{files[0]}", both.roots) == str(other.resolve() / files[0])


def test_the_same_corpus_by_another_path_is_not_rebuilt(corpus, tmp_path):
    work = corpus.parent
    db = str(work / "seeds.kg")
    first = run(work, "build", "notices", "--db", db)
    assert "rebuilt in full" not in first.stderr.decode()
    names = sources(work, db)
    assert names == sorted(f"notices/{p.name}" for p in corpus.glob("*.txt"))
    link = tmp_path / "link-to-notices"
    link.symlink_to(corpus)
    for cwd, path in [(work / "kg", "../notices"), (tmp_path, str(corpus)), (tmp_path, str(link))]:
        again = run(cwd, "build", path, "--db", db)
        said = again.stderr.decode()
        assert "rebuilt in full" not in said and "0 added, 0 changed, 0 removed, 5 unchanged" in said, said
        assert sources(cwd, db) == names


def test_explain_quotes_from_any_folder_and_says_when_a_file_moved(corpus, tmp_path):
    work = corpus.parent
    db = str(work / "seeds.kg")
    run(work, "build", "notices", "--db", db)
    for cwd in (work, work / "kg", tmp_path, Path("/")):
        out = run(cwd, "explain", "--db", db, CITED, "--limit", "1").stdout.decode()
        assert SENTENCE in out, cwd
    moved = tmp_path / "moved" / "notices"  # the same folder, somewhere else
    moved.parent.mkdir()
    corpus.rename(moved)
    out = run(tmp_path, "explain", "--db", db, CITED, "--limit", "1").stdout.decode()
    assert SENTENCE not in out
    assert f"(not quoted in its sentence: {corpus.resolve()}/" in out and "is gone or changed)" in out
    # Built from where the notices are now: nothing to re-read, and explain finds them there.
    again = run(tmp_path, "build", str(moved), "--db", db)
    said = again.stderr.decode()
    assert "rebuilt in full" not in said and "5 unchanged" in said, said
    assert SENTENCE in run(tmp_path, "explain", "--db", db, CITED, "--limit", "1").stdout.decode()
