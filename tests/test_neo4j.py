"""The Neo4j loader. Offline: the exact rows and statements it sends, and the real driver's
error on a closed port. With NEO4J_URI set (e.g. after `docker compose up -d`): the full
load, idempotency, replacement of a changed notice, wipe, and the named queries giving the
same answers as the embedded store."""
from __future__ import annotations

import json
import os
import socket

import pytest

from kg.backends import neo4j as neo
from kg.errors import KgError
from kg.extract import extract
from kg.graph import canonical, model
from kg.queries import library
from kg.read import read_bytes
from kg.resolve import build_graph
from tests.conftest import seed


@pytest.fixture(scope="module")
def graph(records):
    return build_graph(records.values())


def sent_rows(graph, batch_size):
    """(what, row) for every row of every batch the plan sends."""
    return [(s.what, row) for s in neo.plan(graph, batch_size) for row in s.params.get("rows", [])]


@pytest.mark.parametrize("batch_size", [1, 7, 10_000])
def test_every_node_and_relationship_sent_exactly_once(graph, batch_size):
    rows = sent_rows(graph, batch_size)
    nodes = [(what.removesuffix(" nodes"), row["key"]) for what, row in rows if what.endswith(" nodes")]
    rels = [(what.removesuffix(" relationships"), row["key"]) for what, row in rows if what.endswith(" relationships")]
    assert sorted(nodes) == sorted(graph.nodes) and len(nodes) == len(set(nodes))
    assert sorted(rels) == sorted(graph.relationships) and len(rels) == len(set(rels))
    for what, row in rows:
        label_or_type = what.split()[0]
        item = graph.nodes.get((label_or_type, row["key"])) or graph.relationships[(label_or_type, row["key"])]
        assert [json.loads(e) for e in row["evidence"]] == canonical(item.provenance)


def test_batches_have_one_shape_per_label(graph):
    statements = [s for s in neo.plan(graph, batch_size=10) if s.rows]
    assert all(s.rows <= 10 for s in statements)
    by_what = {}
    for s in statements:
        by_what.setdefault(s.what, set()).add(s.cypher)
    assert all(len(texts) == 1 for texts in by_what.values())
    assert len(by_what) == len(model().nodes) + len(model().relationships)


def test_evidence_entries_start_with_their_document(graph):
    """The retire statements read the document key at characters 9–73 of each entry."""
    for _, row in sent_rows(graph, 10_000):
        for entry in row["evidence"]:
            assert entry.startswith(neo.DOC_PREFIX)
            assert entry[9:73] == json.loads(entry)["doc"]


def test_changed_notice_replaces_its_previous_version(graph, records):
    original = seed("002")
    text = original.read_text(encoding="utf-8").replace("《中国共产党纪律处分条例》", "《中国共产党问责条例》")
    changed = extract(read_bytes(text.encode(), str(original)))
    assert changed["source"] == records["002"]["source"] and changed["sha256"] != records["002"]["sha256"]
    new_graph = build_graph([changed])
    statements = list(neo.plan(new_graph))
    retire = [s for s in statements if s.what.startswith("retire")]
    assert [s.params for s in retire] == [{"sources": [str(original)], "keys": [changed["sha256"]]}] * 2
    assert statements.index(retire[-1]) < min(i for i, s in enumerate(statements) if s.rows)
    docs = {json.loads(e)["doc"] for _, row in sent_rows(new_graph, 100) for e in row["evidence"]}
    assert docs == {changed["sha256"]}  # the batches carry exactly the new version's facts
    titles = {row["title"] for what, row in sent_rows(new_graph, 100) if what == "Regulation nodes"}
    assert "中国共产党问责条例" in titles and "中国共产党纪律处分条例" not in titles


def test_settings_never_show_the_password(monkeypatch):
    monkeypatch.setenv("NEO4J_URI", "neo4j://db.example:7687")
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret-pass")
    settings = neo.Settings.from_env()
    assert "s3cret-pass" not in repr(settings)
    monkeypatch.delenv("NEO4J_PASSWORD")
    with pytest.raises(KgError, match="NEO4J_PASSWORD"):
        neo.Settings.from_env()


def test_unreachable_server_is_one_clear_error():
    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    backend = neo.Neo4jBackend(neo.Settings(f"bolt://127.0.0.1:{port}", "neo4j", "s3cret-pass"))
    with pytest.raises(KgError) as err:
        backend.query("RETURN 1")
    assert f"cannot reach Neo4j at bolt://127.0.0.1:{port}" in str(err.value)
    assert "s3cret-pass" not in str(err.value)


# -- against a real server --------------------------------------------------------

requires_server = pytest.mark.skipif(
    not os.environ.get("NEO4J_URI"),
    reason="no Neo4j server: `cp .env.example .env && docker compose up -d`, then set NEO4J_URI=bolt://localhost:7687 "
           "and NEO4J_PASSWORD to run these",
)


@pytest.fixture
def server():
    backend = neo.Neo4jBackend(neo.Settings.from_env())
    backend.wipe()
    yield backend
    backend.wipe()
    backend.close()


def counts(backend):
    nodes = {label: backend.query(f"MATCH (n:{label}:Kg) RETURN count(n)")[1][0][0] for label in model().nodes}
    rels = {t: backend.query(f"MATCH (:Kg)-[r:{t}]->(:Kg) RETURN count(r)")[1][0][0] for t in model().relationships}
    return nodes, rels


@requires_server
def test_load_is_idempotent_and_matches_the_model(server, graph):
    first = server.load(graph, batch_size=50)
    assert first.nodes_created == len(graph.nodes)
    assert first.relationships_created == len(graph.relationships)
    again = server.load(graph, batch_size=50)
    assert again.nodes_created == again.relationships_created == 0
    want_nodes, want_rels = graph.counts()
    assert counts(server) == (dict(want_nodes), dict(want_rels))


@requires_server
def test_named_queries_answer_as_the_embedded_store(server, graph, seed_store):
    server.load(graph)
    required = {"title": "中国共产党纪律处分条例"}
    for q in library().values():
        params = q.bind({p.name: required[p.name] for p in q.params if p.required})
        got = server.query(q.cypher, params)
        want = seed_store.query(q.cypher, params)
        assert got[0] == want[0], q.name
        normalize = lambda rows: sorted(json.dumps([sorted(v) if isinstance(v, list) else v for v in r],  # noqa: E731
                                                   ensure_ascii=False) for r in rows)
        assert normalize(got[1]) == normalize(want[1]), q.name


@requires_server
def test_changed_notice_replaces_only_its_facts(server, graph, records):
    server.load(graph)
    original = seed("002")
    text = original.read_text(encoding="utf-8").replace("《中国共产党纪律处分条例》", "《中国共产党问责条例》")
    changed = extract(read_bytes(text.encode(), str(original)))
    server.load(build_graph([changed]))
    titles = dict(server.query("MATCH (d:Document)-[:CITES]->(r:Regulation {title: $t}) RETURN d.source, count(*)",
                               {"t": "中国共产党纪律处分条例"})[1])
    assert str(original) not in titles and len(titles) == 1  # 004 still cites it
    full = build_graph([*[r for k, r in records.items() if k != "002"], changed])
    want_nodes, want_rels = full.counts()
    assert counts(server) == (dict(want_nodes), dict(want_rels))


@requires_server
def test_wipe_removes_only_kg_data(server, graph):
    server.load(graph)
    server.run(neo.Statement("CREATE (:Mine {name: 'not kg'})", {}, "test"))
    server.wipe()
    assert server.query("MATCH (n:Kg) RETURN count(n)")[1] == [[0]]
    assert server.query("MATCH (n:Mine) RETURN count(n)")[1] == [[1]]
    server.run(neo.Statement("MATCH (n:Mine) DELETE n", {}, "test"))


@requires_server
def test_interrupted_load_is_completed_by_running_it_again(server, graph):
    statements = list(neo.plan(graph, batch_size=20))
    for s in statements[: len(statements) // 2]:  # the load stopped half-way
        server.run(s)
    server.load(graph, batch_size=20)
    want_nodes, want_rels = graph.counts()
    assert counts(server) == (dict(want_nodes), dict(want_rels))
    duplicates = server.query("MATCH (n:Kg) WITH n.key AS key, labels(n) AS l, count(*) AS c WHERE c > 1 RETURN count(*)")
    assert duplicates[1] == [[0]]


@requires_server
def test_a_store_kept_up_to_date_on_a_server_holds_the_stores_graph(server, seed_files, tmp_path):
    """kg load neo4j --from STORE after a rebuild sends what changed; the server then
    holds the rebuilt store's counts (kg.backends.neo4j_sync)."""
    import shutil

    from kg.backends.embedded import EmbeddedStore, StoreRows
    from kg.backends.neo4j_sync import Manifest, sync_plan
    from kg.build import build_store

    folder = tmp_path / "notices"
    folder.mkdir()
    for p in seed_files[:3]:
        shutil.copy(p, folder / p.name)
    store = EmbeddedStore(tmp_path / "store.kg")

    def build_and_sync() -> None:
        build_store(sorted(str(p) for p in folder.iterdir()), str(store.path))
        manifest = Manifest(tmp_path / "server.sqlite")
        try:
            with store.connect() as conn:
                server.send(sync_plan(StoreRows(conn), manifest, batch_size=50))
            manifest.commit()
        finally:
            manifest.close()
        info = store.build_info()
        assert counts(server) == (info["nodes"], info["relationships"])

    build_and_sync()
    (folder / seed_files[0].name).unlink()
    shutil.copy(seed_files[3], folder / seed_files[3].name)
    build_and_sync()
