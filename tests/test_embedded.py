"""The embedded store: bulk-loaded, checked, swapped atomically, rebuilt idempotently."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from kg.backends.embedded import EmbeddedStore, StoreError, read_graph
from kg.build import build_store
from kg.graph import Graph, canonical
from kg.resolve import build_graph
from tests.variants import corpus_copies
from tests.conftest import as_stored


def snapshot(store: EmbeddedStore) -> dict:
    g = read_graph(store)
    return as_dicts(g)


def as_dicts(g) -> dict:
    return {"nodes": {k: (n.props, canonical(n.provenance)) for k, n in g.nodes.items()},
            "relationships": {k: (r.start, r.end, r.props, canonical(r.provenance)) for k, r in g.relationships.items()}}


def test_store_holds_exactly_the_graph(seed_store, records):
    graph = build_graph(as_stored(records).values())
    assert snapshot(seed_store) == as_dicts(graph)
    info = seed_store.build_info()
    assert info["nodes"]["Regulation"] == 94 and info["relationships"]["CITES"] == 111


def test_building_twice_gives_the_same_graph_and_uses_the_cache(tmp_path, seed_files):
    (tmp_path / "Li's notices").mkdir()  # a quote in a path: paths reach LadybugDB's COPY as escaped literals
    store = EmbeddedStore(tmp_path / "Li's notices" / "s.kg")
    sources = [str(p) for p in seed_files]
    first = build_store(sources, str(store.path))
    before = snapshot(store)
    second = build_store(sources, str(store.path), full=True)
    assert (first.extracted, first.cached) == (5, 0)
    assert (second.extracted, second.cached) == (0, 5)
    assert snapshot(store) == before
    assert len(list(store.path.glob("db-*"))) == 1  # the old database is gone
    third = build_store(sources, str(store.path))  # incremental: the files are compared, not read
    assert (third.extracted, third.cached, third.changes.unchanged) == (0, 0, 5)
    assert snapshot(store) == before


def test_changed_and_deleted_documents_are_reflected(tmp_path, seed_files):
    folder = tmp_path / "notices"
    folder.mkdir()
    for p in seed_files[:3]:
        (folder / p.name).write_bytes(p.read_bytes())
    store = EmbeddedStore(tmp_path / "s.kg")
    build_store([str(p) for p in sorted(folder.iterdir())], str(store.path))
    (folder / seed_files[0].name).unlink()  # deleted
    edited = folder / seed_files[2].name  # 002 cites 中国共产党纪律处分条例
    edited.write_text(edited.read_text(encoding="utf-8").replace("《中国共产党纪律处分条例》", "《中国共产党问责条例》"),
                      encoding="utf-8")
    report = build_store([str(p) for p in sorted(folder.iterdir())], str(store.path))
    assert (report.extracted, report.cached) == (1, 1)
    _, rows = store.query("MATCH (d:Document) RETURN d.source ORDER BY d.source")
    assert [r[0] for r in rows] == [f"notices/{p.name}" for p in seed_files[1:3]]  # named in their folder
    _, rows = store.query("MATCH (r:Regulation) WHERE r.title = $t RETURN count(r)", {"t": "中国共产党问责条例"})
    assert rows == [[1]]
    _, rows = store.query("MATCH (:Document)-[:CITES]->(r:Regulation) WHERE r.title = $t RETURN count(r)",
                          {"t": "中国共产党纪律处分条例"})
    assert rows == [[0]]


def test_failed_write_leaves_previous_store(tmp_path, seed_store, records):
    store = EmbeddedStore(tmp_path / "s.kg")
    with store.lock():
        store.write(build_graph(records.values()))
    before = snapshot(store)
    broken = Graph()
    doc = broken.add_node("Document", "d", {})
    broken.add_relationship("CITES", doc, ("Regulation", "missing"), key="k")  # a node that does not exist
    with store.lock(), pytest.raises(StoreError, match="loading CITES failed"):
        store.write(broken)
    assert snapshot(store) == before
    assert not list(store.path.glob("*.partial"))


def test_killed_build_leaves_previous_store_usable(tmp_path, seed_files):
    notices = corpus_copies(seed_files, tmp_path / "notices", copies=60)
    db = tmp_path / "s.kg"
    build_store([str(p) for p in seed_files], str(db))
    store = EmbeddedStore(db)
    before = snapshot(store)
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", str(tmp_path / "notices"), "--db", str(db)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not list(db.glob("*.partial")) and proc.poll() is None:
        time.sleep(0.005)
    killed_while_writing = bool(list(db.glob("*.partial")))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert killed_while_writing, "the build ended before it could be killed mid-write"
    assert snapshot(store) == before  # the previous graph is still the one in use
    report = build_store([str(p) for p in notices], str(db))
    assert report.documents == len(notices)
    assert not list(db.glob("*.partial"))
    _, rows = store.query("MATCH (d:Document) RETURN count(d)")
    assert rows == [[len(notices)]]


def test_second_writer_is_refused_with_a_clear_message(tmp_path, seed_files):
    store = EmbeddedStore(tmp_path / "s.kg")
    with store.lock():
        with pytest.raises(StoreError, match="another kg build is writing this store"):
            build_store([str(seed_files[0])], str(store.path))


def test_refuses_a_folder_that_is_not_a_store(tmp_path, seed_files):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.docx").write_text("x")
    with pytest.raises(StoreError, match="not a kg store"):
        build_store([str(seed_files[0])], str(tmp_path / "mine"))


def test_querying_a_missing_store_says_how_to_build_one(tmp_path):
    with pytest.raises(StoreError, match="run `kg build"):
        EmbeddedStore(tmp_path / "none.kg").query("MATCH (n:Document) RETURN n")


def test_two_builds_at_once_second_is_refused(tmp_path, seed_files):
    import fcntl

    from tests.cli import kg

    notices = tmp_path / "notices"
    corpus_copies(seed_files, notices, copies=40)
    db = tmp_path / "s.kg"
    first = subprocess.Popen([sys.executable, "-m", "kg", "build", str(notices), "--db", str(db)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def held() -> bool:
        try:
            with open(db / ".lock", "w") as f:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(f, fcntl.LOCK_UN)
            return False
        except (BlockingIOError, FileNotFoundError):
            return (db / ".lock").exists()

    deadline = time.time() + 60
    while not held() and first.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    assert held(), "the first build never took the lock"
    second = kg("build", str(seed_files[0]), "--db", str(db))
    assert second.returncode == 1
    assert second.stderr.decode().strip() == f"kg: {db}: another kg build is writing this store; try again when it ends"
    assert first.wait(timeout=300) == 0, first.stderr.read().decode()
    _, rows = EmbeddedStore(db).query("MATCH (d:Document) RETURN count(d)")
    assert rows == [[200]]


def test_parallel_build_equals_single_process_build(tmp_path, seed_files):
    notices = corpus_copies(seed_files, tmp_path / "notices", copies=4)
    one, two = EmbeddedStore(tmp_path / "one.kg"), EmbeddedStore(tmp_path / "two.kg")
    build_store([str(p) for p in notices], str(one.path), workers=1)
    report = build_store([str(p) for p in reversed(notices)], str(two.path), workers=2)
    assert report.documents == len(notices) and report.extracted == len(notices)
    assert snapshot(one) == snapshot(two)


def test_tables_split_into_many_copy_files_load_the_same_graph(tmp_path, seed_files, seed_store, monkeypatch):
    """A large build COPYs each per-notice table in chunks; with tiny chunks the seeds
    take several files per table and the store must not change."""
    import kg.bulk

    monkeypatch.setattr(kg.bulk, "CHUNK_ROWS", 7)
    store = EmbeddedStore(tmp_path / "chunked.kg")
    build_store([str(p) for p in seed_files], str(store.path))
    assert store.build_info()["rows_loaded"] == seed_store.build_info()["rows_loaded"]
    assert snapshot(store) == snapshot(seed_store)


def test_shared_entities_keep_their_first_evidence_and_every_mention_stays(tmp_path, seed_files, monkeypatch):
    """With many notices, a regulation keeps the evidence of the first EVIDENCE_LIMIT
    mentions (by document hash), in the store as in memory; each citation keeps its own."""
    import kg.graph
    from kg.build import graph_from_paths

    monkeypatch.setattr(kg.graph, "EVIDENCE_LIMIT", 3)
    notices = [str(p) for p in corpus_copies(seed_files, tmp_path / "notices", copies=3)]
    store = EmbeddedStore(tmp_path / "s.kg")
    build_store(notices, str(store.path))
    graph, _ = graph_from_paths(notices)
    assert snapshot(store) == as_dicts(graph)
    regulations = {k: n for (label, k), n in graph.nodes.items() if label == "Regulation"}
    assert max(len(n.provenance) for n in regulations.values()) == 3
    cites = [r for (t, _), r in graph.relationships.items() if t == "CITES"]
    assert all(len(r.provenance) == 1 for r in cites)
    cited = sum(1 for r in cites if r.end[1] == "中国共产党纪律处分条例")
    assert cited > 3  # more mentions than the node keeps, each on its CITES


def test_a_pattern_one_way_tables_cannot_answer_says_how_to_write_it(seed_store):
    walked_forwards = "MATCH (d:Document) OPTIONAL MATCH (d)-[:CITES]->(r:Regulation) RETURN count(r)"
    assert seed_store.query(walked_forwards)[1][0][0] == 111
    with pytest.raises(StoreError, match=r"CITES is stored one way .* `MATCH \(a:Document\) OPTIONAL MATCH "
                                         r"\(a\)-\[:CITES\]->\(b:Regulation\)`"):
        seed_store.query("MATCH (r:Regulation) OPTIONAL MATCH (r)<-[:CITES]-(d:Document) RETURN count(d)")
