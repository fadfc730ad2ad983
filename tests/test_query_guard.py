"""A query cannot hurt the store or the machine, and kg deletes only what it made: kg query
runs reads of the graph only, however the statement is spelled; a checkpoint left
half-done is completed by the next build; a folder kg did not make is never written or
emptied. On the seed store (real LadybugDB), through the installed `kg`."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kg.queries import library
from tests.cli import kg
from tests.conftest import SEEDS


@pytest.fixture
def store(seed_store, tmp_path) -> Path:
    """A copy of the seed store of this test's own (its `current` link copied as a link)."""
    copy = tmp_path / "seeds.kg"
    shutil.copytree(seed_store.path, copy, symlinks=True)
    return copy


def _one_line(result) -> str:
    lines = result.stderr.decode().strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()
    return lines[0]


def _documents(db: Path) -> str:
    result = kg("query", "--db", str(db), "MATCH (d:Document) RETURN count(d) AS n", "--format", "csv")
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode().split()[1]


SECRET = "kg-secret-line:x:0:0"

# (statement, what the refusal names): every spelling of a statement that is not a read.
NOT_READS = [
    ("CHECKPOINT", "CHECKPOINT"),
    ("checkpoint;", "CHECKPOINT"),
    ("/* a comment */ CheckPoint", "CHECKPOINT"),
    ("MATCH (d:Document) RETURN count(d); CHECKPOINT", "more than one statement"),
    ("MATCH (d:Document) RETURN count(d);\n// then\nCHECKPOINT", "more than one statement"),
    ("LOAD FROM '{secret}' (file_format='csv', delim=':') RETURN *", "LOAD"),
    ("load from '{secret}' (file_format='csv', delim=':') return *", "LOAD"),
    ("/* */LOAD/**/FROM '{secret}' (file_format='csv', delim=':') RETURN *", "LOAD"),
    ("MATCH (d:Document) WITH count(d) AS n LOAD FROM '{secret}' (file_format='csv', delim=':') RETURN *", "LOAD"),
    ("CALL {{ LOAD FROM '{secret}' (file_format='csv', delim=':') RETURN * }} RETURN 1", "LOAD"),
    ("COPY (MATCH (d:Document) RETURN d.key) TO '{target}'", "COPY"),
    ("copy (match (d:Document) return d.key) to '{target}'", "COPY"),
    ("EXPORT DATABASE '{dump}'", "EXPORT"),
    ("ATTACH '{dump}' AS other (dbtype lbug)", "ATTACH"),
    ("INSTALL httpfs", "INSTALL"),
    ("CALL threads=1", "CALL of a setting"),
    ("BEGIN TRANSACTION", "CHECKPOINT, BEGIN"),
]


@pytest.mark.parametrize("statement, named", NOT_READS, ids=[s for s, _ in NOT_READS])
def test_kg_query_refuses_what_is_not_a_read(store, tmp_path, statement, named):
    secret = tmp_path / "passwd"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    target = tmp_path / "keep.csv"
    target.write_text("the user's own file\n", encoding="utf-8")
    dump = tmp_path / "dump"
    text = statement.format(secret=secret, target=target, dump=dump)
    result = kg("query", "--db", str(store), text)
    line = _one_line(result)
    assert line.startswith("kg: refused: ") and named in line, line
    assert SECRET not in result.stdout.decode()
    assert target.read_text(encoding="utf-8") == "the user's own file\n"
    assert not dump.exists()
    assert sorted(p.name for p in (store / "current").iterdir()) == ["build.json", "graph.lbug"]
    assert _documents(store) == "5"  # the store reads as before


def test_every_named_query_is_a_read(seed_store):
    """The guard lets through what kg itself asks: the named queries and a few shapes users write."""
    for q in library("cypher").values():
        params = {p.name: p.default if p.default is not None else "中国共产党纪律处分条例" for p in q.params}
        seed_store.query(q.cypher, params)
    for read in ["MATCH p=(o:Organization)-[*1..2]->(x) RETURN count(p)",
                 "MATCH (r:Regulation) RETURN r.kind AS k, count(*) AS n ORDER BY n DESC SKIP 1 LIMIT 2",
                 "MATCH (o:Organization) RETURN o.name AS x UNION MATCH (r:Regulation) RETURN r.title AS x",
                 "MATCH (o:Organization) WHERE EXISTS { MATCH (o)-[:ORGANIZATION_CITES]->(:Regulation) } RETURN count(o)",
                 "UNWIND [1, 2] AS x RETURN x", "CALL show_tables() RETURN name",
                 "MATCH (d:Document) RETURN 'COPY TO, LOAD FROM and CHECKPOINT' AS words, count(d)"]:
        assert seed_store.query(read)[1], read


def test_a_checkpoint_left_half_done_is_completed_by_the_next_build(store):
    """What `kg query CHECKPOINT` did before it was refused: readers say what to run, and a
    plain build (nothing changed) completes the checkpoint."""
    from kg.backends.embedded import DB_FILE, SHADOW_FILE, _opened

    with _opened(store / "current" / DB_FILE, read_only=True) as conn:
        with pytest.raises(RuntimeError):
            conn.execute("CHECKPOINT")
    assert (store / "current" / SHADOW_FILE).exists()
    line = _one_line(kg("stats", "--db", str(store)))
    assert "a checkpoint that did not finish waits for recovery; run kg build on this store" in line
    result = kg("build", str(SEEDS), "--db", str(store))
    assert result.returncode == 0, result.stderr.decode()
    assert not (store / "current" / SHADOW_FILE).exists()
    assert _documents(store) == "5"


def _a_folder_of_the_users(folder: Path) -> dict[str, bytes]:
    """A folder holding what a store holds by name, but the user's: photos, a cache, notes."""
    (folder / "db-photos").mkdir(parents=True)
    (folder / "db-photos" / "holiday.jpg").write_bytes(b"\xff\xd8 a photo")
    (folder / "cache" / "thumbnails").mkdir(parents=True)
    (folder / "cache" / "thumbnails" / "a.png").write_bytes(b"\x89PNG")
    (folder / "statements.sqlite").write_bytes(b"the user's own database")
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_folder_kg_did_not_make_is_refused_and_left_whole(tmp_path):
    folder = tmp_path / "mine"
    before = _a_folder_of_the_users(folder)
    for command in (["build", str(SEEDS), "--db", str(folder)], ["build", str(SEEDS), "--db", str(folder), "--full"]):
        line = _one_line(kg(*command))
        assert line == f"kg: {folder}: not a kg store (it holds other files, and no kg-store.json); choose a new or empty folder"
    after = {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    assert after == before


def test_kg_deletes_inside_its_store_only_what_it_named(store):
    """Entries a user put into a store, even named like kg's, outlive builds."""
    marker = json.loads((store / "kg-store.json").read_text(encoding="utf-8"))
    assert marker["kg_store"] == 1
    (store / "db-photos").mkdir()
    (store / "db-photos" / "holiday.jpg").write_bytes(b"a photo")
    (store / "cache" / "thumbnails").mkdir()
    (store / ".spill-notes.txt").write_text("notes", encoding="utf-8")
    result = kg("build", str(SEEDS), "--db", str(store), "--full")
    assert result.returncode == 0, result.stderr.decode()
    assert (store / "db-photos" / "holiday.jpg").read_bytes() == b"a photo"
    assert (store / "cache" / "thumbnails").is_dir()
    assert (store / ".spill-notes.txt").exists()
    builds = [p.name for p in store.iterdir() if p.name.startswith("db-") and p.name != "db-photos"]
    assert len(builds) == 1 and (store / "current").resolve().name == builds[0]  # the old build went


def test_a_store_from_before_the_marker_is_adopted(store):
    (store / "kg-store.json").unlink()
    result = kg("build", str(SEEDS), "--db", str(store))
    assert result.returncode == 0, result.stderr.decode()
    assert (store / "kg-store.json").is_file()
    assert _documents(store) == "5"
