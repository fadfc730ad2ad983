"""Keeping Neo4j up to date from a store (kg.backends.neo4j_sync), offline: the statements
of a load after a rebuild, applied after those of the first load, leave what a load of the
rebuilt store into an empty database leaves, which is the store's graph; and a load after
a build that changed nothing sends no row. (What each statement does to a database is
read from its `change`; the statements themselves are checked by Neo4j's own parser in
test_cypher_lint.)"""
from __future__ import annotations

import shutil

from kg.backends.embedded import EmbeddedStore, StoreRows
from kg.backends.neo4j import node_rows, relationship_rows
from kg.backends.neo4j_sync import Manifest, sync_plan
from kg.build import build_store
from kg.graph import model


def apply(statements, server: dict) -> dict:
    """What the statements leave in a database that held `server` (table → key → row)."""
    m = model()
    sent = 0
    for s in statements:
        if s.change is None:
            continue  # constraints
        kind, table = s.change
        rows = server.setdefault(table, {})
        if kind == "upsert":
            sent += len(s.params["rows"])
            rows.update({row["key"]: row for row in s.params["rows"]})
        elif table in m.nodes:  # DETACH DELETE: the node and every relationship at it
            for key in s.params["keys"]:
                rows.pop(key, None)
                for rel_type, spec in m.relationships.items():
                    for rel_key, rel in list(server.get(rel_type, {}).items()):
                        if (spec["from"] == table and rel["from"] == key) or (spec["to"] == table and rel["to"] == key):
                            del server[rel_type][rel_key]
        else:
            for row in s.params["rows"]:
                rows.pop(row["key"], None)
    server.setdefault("_sent", []).append(sent)
    return server


def store_graph(store: EmbeddedStore) -> dict:
    with store.connect() as conn:
        rows = StoreRows(conn)
        graph = {label: {r["key"]: r for r in node_rows(rows, label)} for label in model().nodes}
        graph.update({t: {r["key"]: r for r in relationship_rows(rows, t)} for t in model().relationships})
    return graph


def load(store: EmbeddedStore, manifest_file, server: dict) -> dict:
    manifest = Manifest(manifest_file)
    try:
        with store.connect() as conn:
            apply(sync_plan(StoreRows(conn), manifest, batch_size=40), server)
        manifest.commit()
    finally:
        manifest.close()
    return server


def without_counts(server: dict) -> dict:
    return {t: rows for t, rows in server.items() if t != "_sent" and rows}


def test_a_load_after_a_rebuild_sends_what_changed_and_leaves_the_stores_graph(seed_files, tmp_path):
    folder = tmp_path / "notices"
    folder.mkdir()
    for p in seed_files[:4]:
        shutil.copy(p, folder / p.name)
    store = EmbeddedStore(tmp_path / "store.kg")
    build_store(sorted(str(p) for p in folder.iterdir()), str(store.path))
    server = load(store, tmp_path / "server.sqlite", {})
    assert without_counts(server) == {t: rows for t, rows in store_graph(store).items() if rows}
    first = server["_sent"][-1]

    load(store, tmp_path / "server.sqlite", server)  # nothing changed: nothing sent
    assert server["_sent"][-1] == 0

    shutil.copy(seed_files[4], folder / seed_files[4].name)  # one added, one removed, one edited
    (folder / seed_files[0].name).unlink()
    edited = folder / seed_files[1].name
    edited.write_bytes(edited.read_bytes() + "\n".encode())
    build_store(sorted(str(p) for p in folder.iterdir()), str(store.path))  # a full build: the same rows
    load(store, tmp_path / "server.sqlite", server)
    assert 0 < server["_sent"][-1] < first

    whole = load(store, tmp_path / "empty-server.sqlite", {})
    assert without_counts(server) == without_counts(whole)
    assert without_counts(server) == {t: rows for t, rows in store_graph(store).items() if rows}


def test_a_load_that_fails_keeps_the_manifest_of_the_last_one(seed_files, tmp_path):
    store = EmbeddedStore(tmp_path / "store.kg")
    build_store([str(p) for p in seed_files[:2]], str(store.path))
    load(store, tmp_path / "server.sqlite", {})
    before = (tmp_path / "server.sqlite").read_bytes()
    manifest = Manifest(tmp_path / "server.sqlite")
    with store.connect() as conn:
        statements = sync_plan(StoreRows(conn), manifest, batch_size=40)
        next(statements)  # the load starts, then the server goes away
    manifest.close()
    assert (tmp_path / "server.sqlite").read_bytes() == before
    assert not (tmp_path / "server.sqlite.new").exists()
