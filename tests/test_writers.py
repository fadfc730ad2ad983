"""One contract for every registered writer (kg.backends.WRITERS), on the seed store:
what a writer wrote, read back with the format's own reader, has the store's nodes and
relationships, keys and counts. A writer registered without a reader here fails."""
from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import networkx as nx
import pytest

from kg.backends import WRITERS, writer
from kg.backends.embedded import StoreRows, read_graph
from kg.errors import KgError
from kg.graph import model

# -- readers: a written export → ({label: {key}}, {type: {(from, to, key)}}) ------------


def _split(node_id: str) -> tuple[str, str]:
    label, key = node_id.split(":", 1)
    return label, key


def read_networkx(g: nx.MultiDiGraph, key: str):
    nodes, rels = {}, {}
    for node_id, data in g.nodes(data=True):
        assert _split(node_id) == (data["node_type"], data[key])
        nodes.setdefault(data["node_type"], set()).add(data[key])
    for u, v, k, data in g.edges(keys=True, data=True):
        rels.setdefault(data["rel_type"], set()).add((_split(u)[1], _split(v)[1], k if key == "key" else data[key]))
    return nodes, rels


def read_graphml(path: Path):
    return read_networkx(nx.read_graphml(path), "key")


def read_gexf(path: Path):
    return read_networkx(nx.read_gexf(path), "kg_key")


def read_jsonl(path: Path):
    nodes, rels = {}, {}
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if "node" in item:
            nodes.setdefault(item["node"], set()).add(item["key"])
        else:
            rels.setdefault(item["relationship"], set()).add((item["from"][1], item["to"][1], item["key"]))
    return nodes, rels


def read_admin(folder: Path):
    nodes, rels = {}, {}
    for label in model().nodes:
        with open(folder / "nodes" / f"{label}.csv", encoding="utf-8", newline="") as f:
            nodes[label] = {r[f"key:ID({label})"] for r in csv.DictReader(f)}
    for rel_type, spec in model().relationships.items():
        with open(folder / "relationships" / f"{rel_type}.csv", encoding="utf-8", newline="") as f:
            rels[rel_type] = {(r[f":START_ID({spec['from']})"], r[f":END_ID({spec['to']})"], r["key:string"])
                              for r in csv.DictReader(f)}
    assert "--nodes=Document=$dir/nodes/Document.csv" in (folder / "import.sh").read_text(encoding="utf-8")
    return nodes, rels


CYPHER_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*')|(?P<num>-?\d+(?:\.\d+)?(?:e-?\d+)?)|(?P<word>null|true|false)"
                          r"|(?P<name>`[^`]*`)|(?P<punct>[\[\]{}:,]))")
ESCAPES = {"\\\\": "\\", "\\'": "'", "\\n": "\n", "\\r": "\r", "\\t": "\t"}


def cypher_value(text: str, at: int):
    """(value, end) of the Cypher literal kg.backends.neo4j_files writes, at text[at:]."""
    m = CYPHER_TOKEN.match(text, at)
    if m["str"]:
        return re.sub(r"\\.", lambda e: ESCAPES[e[0]], m["str"][1:-1]), m.end()
    if m["num"]:
        return (float if "." in m["num"] or "e" in m["num"] else int)(m["num"]), m.end()
    if m["word"]:
        return {"null": None, "true": True, "false": False}[m["word"]], m.end()
    close = {"[": "]", "{": "}"}[m["punct"]]
    items, at = ([] if close == "]" else {}), m.end()
    while (t := CYPHER_TOKEN.match(text, at))["punct"] != close:
        if close == "}":
            name = t["name"][1:-1]
            at = CYPHER_TOKEN.match(text, t.end()).end()  # the colon
            items[name], at = cypher_value(text, at)
        else:
            value, at = cypher_value(text, at)
            items.append(value)
        if (t := CYPHER_TOKEN.match(text, at))["punct"] == ",":
            at = t.end()
    return items, CYPHER_TOKEN.match(text, at).end()


def read_cypher(path: Path):
    nodes, rels = {}, {}
    statements = path.read_text(encoding="utf-8").split(";\n")
    assert statements.pop() == ""
    for statement in statements:
        if not statement.startswith("UNWIND "):
            assert statement.startswith("CREATE "), statement[:80]
            continue
        rows, end = cypher_value(statement, len("UNWIND "))
        assert statement[end:].startswith(" AS row\n")
        if m := re.search(r"MERGE \(n:(\w+) \{key: row.key\}\)", statement):
            nodes.setdefault(m[1], set()).update(r["key"] for r in rows)
        else:
            rel_type = re.search(r"MERGE \(a\)-\[r:(\w+) ", statement)[1]
            rels.setdefault(rel_type, set()).update((r["from"], r["to"], r["key"]) for r in rows)
    return nodes, rels


def read_rdf(path: Path):
    from kg.backends import rdf

    graph = rdf.to_model(rdf.parse(str(path)))
    nodes, rels = {}, {}
    for label, key in graph.nodes:
        nodes.setdefault(label, set()).add(key)
    for (rel_type, key), r in graph.relationships.items():
        rels.setdefault(rel_type, set()).add((r.start[1], r.end[1], key))
    return nodes, rels


def read_neo4j(backend):
    nodes = {label: {k for (k,) in backend.query(f"MATCH (n:{label}:Kg) RETURN n.key")[1]} for label in model().nodes}
    rels = {t: {tuple(r) for r in backend.query(f"MATCH (a:Kg)-[r:{t}]->(b:Kg) RETURN a.key, b.key, r.key")[1]}
            for t in model().relationships}
    return nodes, rels


READERS = {"graphml": read_graphml, "gexf": read_gexf, "jsonl": read_jsonl, "neo4j-admin": read_admin,
           "cypher": read_cypher, "turtle": read_rdf, "nt": read_rdf, "jsonld": read_rdf, "trig": read_rdf,
           "neo4j": read_neo4j}
SUFFIX = {"turtle": ".ttl"}


def test_every_registered_writer_has_a_reader():
    """The contract runs over the registry: a new writer needs its reader above."""
    assert sorted(WRITERS) == sorted(READERS)


def test_an_unknown_writer_names_the_registered_ones():
    with pytest.raises(KgError) as err:
        writer("graphmll")
    assert "graphml, gexf, jsonl, neo4j-admin, cypher, turtle, nt, jsonld, trig, neo4j" in str(err.value)


def test_capabilities():
    assert {w.name for w in WRITERS.values() if w.rdf} == {"turtle", "nt", "jsonld", "trig"}
    assert [w.name for w in WRITERS.values() if w.server] == ["neo4j"]
    assert [w.name for w in WRITERS.values() if w.folder] == ["neo4j-admin"]
    assert all(w.streams for w in WRITERS.values())


def expected(store):
    with store.connect() as conn:
        rows = StoreRows(conn)
        nodes = {label: {r["key"] for r in rows.rows(label)} for label in model().nodes}
        rels = {t: {(r["from"], r["to"], r["key"]) for r in rows.relationship_rows(t)} for t in model().relationships}
        counts = rows.counts()
    return nodes, rels, counts


def write(name: str, store, tmp_path: Path):
    """Write the store with the writer `name`; what its reader reads."""
    w = writer(name)
    with store.connect() as conn:
        if w.server:
            from kg.backends.neo4j import Neo4jBackend, Settings

            if not os.environ.get("NEO4J_URI"):
                pytest.skip("no Neo4j server: `docker compose up -d`, then set NEO4J_URI=bolt://localhost:7687 "
                            "and NEO4J_PASSWORD to run it")
            with Neo4jBackend(Settings.from_env()) as backend:
                backend.wipe()
                w.write(StoreRows(conn, page=40), backend, batch_size=50)
                return READERS[name](backend)
        if w.folder:
            out = tmp_path / name
            w.write(StoreRows(conn, page=40), out)
            return READERS[name](out)
        out = tmp_path / f"seeds{SUFFIX.get(name, w.suffixes[0] if w.suffixes else '.' + name)}"
        with open(out, "w", encoding="utf-8") as f:
            w.write(StoreRows(conn, page=40), f)  # small pages: paging is part of the contract
        return READERS[name](out)


@pytest.mark.parametrize("name", list(WRITERS))
def test_writer_contract(name, seed_store, tmp_path):
    nodes, rels, (node_counts, rel_counts) = expected(seed_store)
    got_nodes, got_rels = write(name, seed_store, tmp_path)
    for label in model().nodes:
        assert got_nodes.get(label, set()) == nodes[label], label
        assert len(nodes[label]) == node_counts[label]
    for rel_type in model().relationships:
        assert got_rels.get(rel_type, set()) == rels[rel_type], rel_type
        assert len(rels[rel_type]) == rel_counts[rel_type]
    assert sum(node_counts.values()) > 300 and sum(rel_counts.values()) > 500  # the seeds, not an empty store


def test_store_rows_page_every_row_once(seed_store):
    with seed_store.connect() as conn:
        whole = {t: list(StoreRows(conn, page=10**9).rows(t)) for t in model().nodes}
        paged = {t: list(StoreRows(conn, page=3).rows(t)) for t in model().nodes}
        rel_whole = {t: list(StoreRows(conn, page=10**9).relationship_rows(t)) for t in model().relationships}
        rel_paged = {t: list(StoreRows(conn, page=3).relationship_rows(t)) for t in model().relationships}
    def by_key(tables):
        return {t: sorted(rows, key=lambda r: r["key"]) for t, rows in tables.items()}
    assert paged == whole  # nodes in the store's order, whatever the page
    assert by_key(rel_paged) == by_key(rel_whole)
    nodes, rels = seed_store.counts()
    assert {t: len({r["key"] for r in rows}) for t, rows in whole.items()} == nodes
    assert {t: len({r["key"] for r in rows}) for t, rows in rel_whole.items()} == rels


# -- the stated totals a notice carries, as each format's reader gives them --------------

STATED = [p for p in model().nodes["Document"] if p.startswith("stated_")]


def stated_networkx(g: nx.MultiDiGraph) -> dict:
    return {d["key"]: {p: d.get(p) for p in STATED} for _, d in g.nodes(data=True) if d["node_type"] == "Document"}


def stated_admin(folder: Path) -> dict:
    with open(folder / "nodes" / "Document.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    columns = {c.split(":")[0]: c for c in rows[0]}
    cast = {"long": int, "date": str}  # the types neo4j-admin reads them as
    return {r["key:ID(Document)"]: {p: cast[columns[p].split(":")[1]](r[columns[p]]) if r[columns[p]] else None
                                    for p in STATED} for r in rows}


def stated_jsonl(path: Path) -> dict:
    items = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    return {i["key"]: {p: i["properties"][p] for p in STATED} for i in items if i.get("node") == "Document"}


def stated_rdf(path: Path) -> dict:
    from kg.backends import rdf

    graph = rdf.to_model(rdf.parse(str(path)))
    return {key: {p: n.props[p] for p in STATED} for (label, key), n in graph.nodes.items() if label == "Document"}


STATED_READERS = {"graphml": lambda p: stated_networkx(nx.read_graphml(p)), "jsonl": stated_jsonl,
                  "neo4j-admin": stated_admin, "turtle": stated_rdf, "trig": stated_rdf}


@pytest.mark.parametrize("name", list(STATED_READERS))
def test_stated_totals_survive_every_kind_of_writer(name, seed_store, tmp_path):
    """A notice's stated totals in a property graph file, Neo4j's CSV and
    RDF, typed as the format types them, equal the store's."""
    with seed_store.connect() as conn:
        stored = {r["key"]: {p: r[p] for p in STATED} for r in StoreRows(conn).rows("Document")}
        w = writer(name)
        out = tmp_path / name if w.folder else tmp_path / f"seeds{SUFFIX.get(name, w.suffixes[0])}"
        if w.folder:
            w.write(StoreRows(conn, page=40), out)
        else:
            with open(out, "w", encoding="utf-8") as f:
                w.write(StoreRows(conn, page=40), f)
    assert STATED_READERS[name](out) == stored
    assert all(any(t[p] is not None for t in stored.values()) for p in STATED)  # the seeds state each one


# -- the same files as the in-memory writers made ------------------------------------


def reference_jsonl(graph) -> str:
    """JSON Lines as kg wrote it from a whole graph in memory."""
    from kg.graph import canonical

    out = io.StringIO()
    for (label, key), node in sorted(graph.nodes.items()):
        out.write(json.dumps({"node": label, "key": key, "properties": node.props, "provenance": canonical(node.provenance)},
                             ensure_ascii=False, sort_keys=True) + "\n")
    for (rel_type, key), rel in sorted(graph.relationships.items()):
        out.write(json.dumps({"relationship": rel_type, "key": key, "from": list(rel.start), "to": list(rel.end),
                              "properties": rel.props, "provenance": canonical(rel.provenance)}, ensure_ascii=False,
                             sort_keys=True) + "\n")
    return out.getvalue()


def written(name: str, source) -> str:
    out = io.StringIO()
    writer(name).write(source, out)
    return out.getvalue()


def test_jsonl_is_the_in_memory_writers(seed_store):
    """Byte for byte from a Graph; from a store the same lines, in the store's order
    (sorting by key would hold a label in memory)."""
    graph = read_graph(seed_store)
    assert written("jsonl", graph) == reference_jsonl(graph)
    with seed_store.connect() as conn:
        streamed = written("jsonl", StoreRows(conn, page=25))
    assert sorted(streamed.splitlines()) == sorted(reference_jsonl(graph).splitlines())


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphml_and_gexf_parse_as_networkx_own_writer(fmt, seed_store, tmp_path):
    """The same graph as networkx's writers gave from the whole graph in memory (the
    previous exports): byte identity broke for UTF-8 (networkx wrote &#NNNNN;), for
    attribute key ids (now from the graph model) and the order of edges (networkx:
    by source node); GEXF edge ids are still their rank in the file."""
    graph = read_graph(seed_store)
    g = graph.to_networkx()
    ref = "\n".join(nx.generate_graphml(g) if fmt == "graphml" else nx.generate_gexf(g))
    if fmt == "gexf":
        ref = ref.replace('title="networkx_key"', 'title="kg_key"')
    (tmp_path / f"ref.{fmt}").write_text(ref, encoding="utf-8")
    with seed_store.connect() as conn:
        text = written(fmt, StoreRows(conn))
    (tmp_path / f"new.{fmt}").write_text(text, encoding="utf-8")
    assert "&#2" not in text and "中共" in text  # UTF-8, not character references
    read = nx.read_graphml if fmt == "graphml" else nx.read_gexf
    old, new = read(tmp_path / f"ref.{fmt}"), read(tmp_path / f"new.{fmt}")
    assert dict(new.nodes(data=True)) == dict(old.nodes(data=True))

    def edges(h):
        return sorted((u, v, k if fmt == "graphml" else "", sorted((a, b) for a, b in d.items() if a != "id"))
                      for u, v, k, d in h.edges(keys=True, data=True))
    assert edges(new) == edges(old)


def test_igraph_reads_graphml(seed_store, tmp_path):
    igraph = pytest.importorskip("igraph")
    out = tmp_path / "seeds.graphml"
    with seed_store.connect() as conn:
        out.write_text(written("graphml", StoreRows(conn)), encoding="utf-8")
    g = igraph.Graph.Read_GraphML(str(out))
    assert g.vcount() == sum(seed_store.counts()[0].values())


# -- bounded memory --------------------------------------------------------------------

# Peak of a whole `kg export` process on 1 000 generated notices, per format. Measured
# (bench/run --only exports): 212 MB for the property-graph formats and 274 MB for RDF at
# 1 000 notices, 227 MB (RDF: see README) at 10 000; the limits leave room for other
# machines' allocators, not for a writer that holds the store.
PEAK_LIMIT_MB = {"jsonl": 300, "graphml": 300, "gexf": 300, "neo4j-admin": 300, "cypher": 300,
                 "turtle": 360, "nt": 360, "jsonld": 360, "trig": 360}
MEASURE = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
           "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def test_every_export_format_has_a_memory_limit():
    assert sorted(PEAK_LIMIT_MB) == sorted(w.name for w in WRITERS.values() if not w.server)


@pytest.mark.parametrize("fmt", list(PEAK_LIMIT_MB))
def test_export_peak_memory_is_bounded(fmt, generated, tmp_path):
    """Each export streams: its process's peak stays under a limit (no timing asserted)."""
    import subprocess
    import sys

    _, store = generated(1000)
    exe = str(Path(sys.executable).with_name("kg"))
    out = ["--out", str(tmp_path / "out")] if writer(fmt).folder else []  # else stdout, thrown away
    # A process of its own runs the export, so RUSAGE_CHILDREN is the export's alone.
    result = subprocess.run([sys.executable, "-c", MEASURE, exe, "export", str(store.path), "--format", fmt, *out],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    peak_mb = int(result.stdout.split()[-1]) / 1024
    assert peak_mb < PEAK_LIMIT_MB[fmt], f"{fmt}: peak {peak_mb:.0f} MB"


def test_rdf_forgetting_what_it_wrote_keeps_the_same_triples(seed_store, monkeypatch):
    """RDF remembers a bounded number of written annotations and direct triples; past
    it, one is written again: the same triple, so the same graph."""
    from kg.backends import rdf

    graph = read_graph(seed_store)
    whole = written("nt", graph)
    monkeypatch.setattr(rdf, "SEEN_LIMIT", 5)
    forgetful = written("nt", graph)
    assert len(forgetful) > len(whole)
    assert set(forgetful.splitlines()) == set(whole.splitlines())


PLAN = ("import sys; from kg.cli.export import row_source; from kg.backends.neo4j import plan\n"
        "with row_source(sys.argv[1]) as rows:\n    print(sum(s.rows for s in plan(rows)))")


def test_neo4j_load_from_a_store_is_bounded(generated):
    """What `kg load neo4j --from STORE` sends (no server here: the statements are made
    and dropped) takes the memory of a batch, not of the store."""
    import subprocess
    import sys

    _, store = generated(1000)
    result = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-c", PLAN, str(store.path)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    peak_mb = int(result.stdout.split()[-1]) / 1024
    assert peak_mb < PEAK_LIMIT_MB["jsonl"], f"peak {peak_mb:.0f} MB"
