"""Incremental builds: a store brought up to date for the notices added, edited and
removed equals a full build of the same files, row for row (seeds, traditional Chinese
included, and 1 000 generated notices); a build that fails leaves the previous store
answering; the checks after the write catch a write that did not land."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import kg.backends.embedded as embedded
import kg.incremental as incremental
from kg.backends.embedded import EmbeddedStore, StoreError, StoreRows
from kg.build import build_store
from kg.graph import model
from tests.cli import kg as run_kg


def contents(store: EmbeddedStore) -> dict[str, list]:
    """Every row of every table, sorted: two stores hold the same graph iff these are equal
    (a relationship stored twice shows as two rows)."""
    m = model()
    with store.connect() as conn:
        rows = StoreRows(conn)
        found = {label: sorted(map(repr, rows.rows(label))) for label in m.nodes}
        found.update({t: sorted(map(repr, rows.relationship_rows(t))) for t in m.relationships})
    return found


def assert_same_graph(a: EmbeddedStore, b: EmbeddedStore) -> None:
    left, right = contents(a), contents(b)
    for table in left:
        assert left[table] == right[table], f"{table}: {len(left[table])} rows against {len(right[table])}"


def files(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.iterdir())


def edit(path: Path) -> None:
    """A new version of a notice: its text with a line added at the end."""
    path.write_bytes(path.read_bytes() + "\n".encode())


@pytest.fixture
def seeds_in(tmp_path, seed_files):
    """Three of the seeds in a folder of their own, built; the other two kept aside."""
    folder = tmp_path / "notices"
    folder.mkdir()
    for p in seed_files[:3]:
        shutil.copy(p, folder / p.name)
    build_store(files(folder), str(tmp_path / "store.kg"))
    return folder, seed_files[3:]


def test_added_edited_and_removed_notices_give_what_a_full_build_gives(seeds_in, tmp_path, monkeypatch):
    monkeypatch.setattr(incremental, "MOST_CHANGED", 10.0)  # five notices: every change is a large share
    folder, aside = seeds_in
    for p in aside:  # one of them the traditional Chinese notice
        shutil.copy(p, folder / p.name)
    names = sorted(folder.iterdir())
    edit(names[0])
    names[1].unlink()
    report = build_store(files(folder), str(tmp_path / "store.kg"))
    changes = report.changes
    assert (len(changes.added), len(changes.changed), len(changes.removed), changes.unchanged) == (2, 1, 1, 1)
    assert report.written["nodes"] > 0 and report.deleted["relationships"] > 0
    build_store(files(folder), str(tmp_path / "full.kg"))
    assert_same_graph(EmbeddedStore(tmp_path / "store.kg"), EmbeddedStore(tmp_path / "full.kg"))


def test_renamed_and_duplicated_files_name_their_notice_as_a_full_build_does(seeds_in, tmp_path, monkeypatch):
    """A notice's Document names the first file holding its bytes: renaming a file, or
    deleting the first of two copies, changes that name and nothing else."""
    monkeypatch.setattr(incremental, "MOST_CHANGED", 10.0)
    folder, _ = seeds_in
    first, second, _third = sorted(folder.iterdir())
    first.rename(folder / ("zz-" + first.name))  # renamed: now named last
    shutil.copy(second, folder / ("zz-copy-" + second.name))  # the same bytes twice
    second.unlink()  # the first copy goes: the other names the notice now
    report = build_store(files(folder), str(tmp_path / "store.kg"))
    assert report.changes is not None and report.written["nodes"] > 0
    build_store(files(folder), str(tmp_path / "full.kg"))
    assert_same_graph(EmbeddedStore(tmp_path / "store.kg"), EmbeddedStore(tmp_path / "full.kg"))


def test_on_a_thousand_generated_notices(generated, tmp_path):
    """990 notices built; then 10 added, 1 edited and 1 removed, as a corpus grows."""
    corpus, _ = generated(1000)
    folder = tmp_path / "notices"
    folder.mkdir()
    for path in corpus[:990]:
        shutil.copy(path, folder)
    build_store(files(folder), str(tmp_path / "store.kg"), workers=2)
    for path in corpus[990:]:
        shutil.copy(path, folder)
    edit(folder / Path(corpus[0]).name)
    (folder / Path(corpus[1]).name).unlink()
    report = build_store(files(folder), str(tmp_path / "store.kg"), workers=2)
    assert report.full_because is None and report.changes is not None
    assert (len(report.changes.added), len(report.changes.changed), len(report.changes.removed)) == (10, 1, 1)
    assert report.extracted + report.cached == 11  # the others were compared, not read
    build_store(files(folder), str(tmp_path / "full.kg"), workers=2, full=True)
    assert_same_graph(EmbeddedStore(tmp_path / "store.kg"), EmbeddedStore(tmp_path / "full.kg"))
    wal = EmbeddedStore(tmp_path / "store.kg").current / "graph.lbug.wal"
    assert wal.stat().st_size > 0 and not report.info["checkpointed"]  # the changes wait in the log


def test_builds_on_a_log_and_a_checkpoint_give_what_a_full_build_gives(generated, tmp_path, monkeypatch):
    """Incremental builds keep their changes in LadybugDB's write-ahead log, each on top of
    the last one's; the build that finds the log past WAL_LIMIT checkpoints it into the
    database. Either way the store equals a full build, and LadybugDB read as any tool
    opens it (checksums on) sees it."""
    import ladybug

    corpus, _ = generated(1000)
    folder = tmp_path / "notices"
    folder.mkdir()
    for path in corpus[:980]:
        shutil.copy(path, folder)
    store = EmbeddedStore(tmp_path / "store.kg")
    build_store(files(folder), str(store.path), workers=2)
    logged = []
    for batch in (corpus[980:990], corpus[990:]):
        for path in batch:
            shutil.copy(path, folder)
        report = build_store(files(folder), str(store.path), workers=2)
        logged.append(report.info["wal_bytes"])
        assert report.changes is not None and not report.info["checkpointed"]
    assert 0 < logged[0] < logged[1] == (store.current / "graph.lbug.wal").stat().st_size  # the second on the first
    monkeypatch.setattr(embedded, "WAL_LIMIT", logged[1] - 1)
    edit(folder / Path(corpus[5]).name)
    report = build_store(files(folder), str(store.path), workers=2)
    assert report.info["checkpointed"] and report.info["wal_bytes"] < logged[0]
    build_store(files(folder), str(tmp_path / "full.kg"), workers=2, full=True)
    assert_same_graph(store, EmbeddedStore(tmp_path / "full.kg"))
    conn = ladybug.Connection(ladybug.Database(str(store.current / "graph.lbug"), read_only=True))
    assert conn.execute("MATCH (d:Document) RETURN count(d)").get_next()[0] == 1000


def test_nothing_changed_writes_nothing(seeds_in, tmp_path):
    folder, _ = seeds_in
    store = EmbeddedStore(tmp_path / "store.kg")
    before = store.current
    report = build_store(files(folder), str(store.path))
    assert report.changes.unchanged == 3 and not report.written and store.current == before


def test_a_failed_write_leaves_the_previous_store_answering(seeds_in, tmp_path, monkeypatch):
    """The copy being revised fails halfway: the store answers as before, and the next
    build (the failure gone) still knows what to do."""
    monkeypatch.setattr(incremental, "MOST_CHANGED", 10.0)
    folder, aside = seeds_in
    store = EmbeddedStore(tmp_path / "store.kg")
    before = contents(store)
    for p in aside:
        shutil.copy(p, folder / p.name)
    create = embedded._create

    def dies_halfway(conn, rows, tick):
        create(conn, {t: r for t, r in rows.items() if t in model().nodes}, tick)
        raise KeyboardInterrupt  # as a user's Ctrl-C

    monkeypatch.setattr(embedded, "_create", dies_halfway)
    with pytest.raises(KeyboardInterrupt):
        build_store(files(folder), str(store.path))
    assert contents(store) == before
    assert not list(store.path.glob("db-*.partial"))
    monkeypatch.setattr(embedded, "_create", create)
    report = build_store(files(folder), str(store.path))
    assert len(report.changes.added) == 2
    build_store(files(folder), str(tmp_path / "full.kg"))
    assert_same_graph(store, EmbeddedStore(tmp_path / "full.kg"))


def test_a_write_that_does_not_land_fails_the_build(seeds_in, tmp_path, monkeypatch):
    """The checks after the write are real: a relationship left out is caught, and the
    store stays as it was."""
    monkeypatch.setattr(incremental, "MOST_CHANGED", 10.0)
    folder, aside = seeds_in
    store = EmbeddedStore(tmp_path / "store.kg")
    before = contents(store)
    shutil.copy(aside[0], folder / aside[0].name)
    create = embedded._create

    def drops_one(conn, rows, tick):
        return create(conn, {t: r[1:] if t == "CITES" else r for t, r in rows.items()}, tick)

    monkeypatch.setattr(embedded, "_create", drops_one)
    with pytest.raises(StoreError, match="does not hold the graph"):
        build_store(files(folder), str(store.path))
    assert contents(store) == before


def test_statements_of_another_build_make_the_next_build_full(seeds_in, tmp_path):
    """Killed between swapping the store in and recording its statements, a build leaves
    statements that name the build before: they are never used."""
    folder, _ = seeds_in
    store = EmbeddedStore(tmp_path / "store.kg")
    from kg.statements import Statements

    statements = Statements(store.path / "statements.sqlite")
    statements.set_build_id("another")
    statements.close()
    report = build_store(files(folder), str(store.path))
    assert report.changes is None and "nothing to compare with" in report.full_because
    assert build_store(files(folder), str(store.path)).changes.unchanged == 3  # and then it is


def test_cli_says_what_it_did(seeds_in, tmp_path):
    folder, aside = seeds_in
    shutil.copy(aside[0], folder / aside[0].name)
    result = run_kg("build", str(folder), "--db", str(tmp_path / "store.kg"))
    assert result.returncode == 0, result.stderr.decode()
    said = result.stderr.decode()
    assert "notices 1 added, 0 changed, 0 removed, 3 unchanged; wrote " in said
    assert "4 notices (0 copies of others); 1 extracted, 0 cached, 3 unchanged" in said or "4 notices (0 copies of others); 0 extracted, 1 cached, 3 unchanged" in said
    assert "MB of changes wait in the write-ahead log (kg checkpoints it once it passes" in said
    said = run_kg("build", str(folder), "--db", str(tmp_path / "store.kg")).stderr.decode()
    assert "wrote 0 nodes and 0 relationships, deleted 0 nodes and 0 relationships\n" in said  # says nothing of the log
    result = run_kg("build", str(folder), "--db", str(tmp_path / "store.kg"), "--full")
    assert result.returncode == 0 and "rebuilt in full: asked (--full)" in result.stderr.decode()


def _fingerprint_of_copy(tmp_path: Path, edited: str | None) -> str:
    """code_fingerprint() of a copy of the installed kg with `edited` (a file in it) changed."""
    import subprocess
    import sys

    import kg

    copy = tmp_path / f"copy-{(edited or 'none').replace('/', '-')}"
    shutil.copytree(Path(kg.__file__).parent, copy / "kg", ignore=shutil.ignore_patterns("__pycache__"))
    if edited:
        path = copy / "kg" / edited
        path.write_text(path.read_text(encoding="utf-8") + "\n# an upgrade\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", "import kg.cache; print(kg.cache.code_fingerprint())"],
                         cwd=copy, env={"PYTHONPATH": str(copy), "PATH": ""}, capture_output=True, check=True)
    return out.stdout.decode().strip()


def test_a_kg_with_other_code_rebuilds_in_full_and_says_why(seeds_in, tmp_path):
    """An upgrade that leaves the extractor and the graph model as they were still changes
    rows (resolution, the bulk writer, themes, co-citation …): the store records the code
    that made it, and another code's build is full, never a mix of old and new rows."""
    unchanged = _fingerprint_of_copy(tmp_path, None)
    for module in ("resolve.py", "graph.py", "bulk.py", "themes.py", "cocitation.py", "incremental.py"):
        assert _fingerprint_of_copy(tmp_path, module) != unchanged, module
    assert _fingerprint_of_copy(tmp_path, "cli/build.py") == unchanged  # a command shapes no row
    folder, _ = seeds_in
    store = EmbeddedStore(tmp_path / "store.kg")
    import json

    info = json.loads((store.current / "build.json").read_text(encoding="utf-8"))
    assert info["code"] == unchanged and info["kg_version"]
    (store.current / "build.json").write_text(json.dumps({**info, "code": "another"}), encoding="utf-8")
    report = build_store(files(folder), str(store.path))
    assert report.changes is None and report.full_because == "kg's code that shapes the store's rows changed since the last build"
    (store.current / "build.json").write_text(json.dumps({**info, "kg_version": "0.0.1"}), encoding="utf-8")
    assert "it was built by kg 0.0.1, this is kg " in build_store(files(folder), str(store.path)).full_because
