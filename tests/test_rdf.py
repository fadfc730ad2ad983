"""RDF export: vocabulary, stable IRIs, SHACL, SPARQL parity with Cypher, round trip."""
from __future__ import annotations

import json

import io
import re

import pytest
import rdflib
from rdflib import RDF, Literal, URIRef

from kg.backends import rdf
from kg.graph import canonical, model
from kg.queries import library
from kg.resolve import build_graph
from kg.schema import path as schema_path
from tests.cli import kg
from tests.conftest import as_stored


@pytest.fixture(scope="module")
def graph(records):
    return build_graph(as_stored(records).values())


def export(graph, fmt="nt", base=None) -> str:
    out = io.StringIO()
    rdf.write(graph, fmt, out, base)
    return out.getvalue()


@pytest.fixture(scope="module")
def rdf_graph(graph):
    g = rdflib.Graph()
    g.parse(data=export(graph, "turtle"), format="turtle")
    return g


def test_seed_export_conforms_to_the_shapes(rdf_graph):
    conforms, report = rdf.validate(rdf_graph)
    assert conforms, report


def test_shapes_catch_a_missing_rule(rdf_graph):
    broken = rdflib.Graph()
    for t in rdf_graph:
        broken.add(t)
    broken.remove((None, rdf.KG.rule, None))
    conforms, report = rdf.validate(broken)
    assert not conforms and "->kg:rule" in report


@pytest.mark.parametrize("fmt,parser", [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("trig", "trig")])
def test_every_format_parses_to_the_same_triples(graph, rdf_graph, fmt, parser):
    g = rdflib.Dataset() if fmt == "trig" else rdflib.Graph()
    g.parse(data=export(graph, fmt), format=parser)
    triples = set(g.quads()) if fmt == "trig" else set(g)
    if fmt == "trig":
        triples = {(s, p, o) for s, p, o, _ in triples}
    assert triples == set(rdf_graph)


def test_iris_are_stable_and_derived_from_keys(graph):
    first, second = export(graph), export(graph)
    assert first == second
    reg = "<https://w3id.org/kg-notices/id/regulation/%E4%B8%AD%E5%9B%BD%E5%85%B1%E4%BA%A7%E5%85%9A%E7%BA%AA%E5%BE%8B%E5%A4%84%E5%88%86%E6%9D%A1%E4%BE%8B>"
    assert reg in first
    other = export(graph, base="http://example.org/kg/")
    assert "<http://example.org/kg/regulation/" in other and "w3id.org/kg-notices/id/" not in other


def test_labels_tagged_simplified_and_traditional(rdf_graph):
    reg = next(rdf_graph.subjects(rdf.KG.key, Literal("中国共产党纪律处分条例")))
    skos = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
    alt = set(rdf_graph.objects(reg, skos.altLabel))
    assert Literal("中國共產黨紀律處分條例", lang="zh-Hant") in alt
    assert Literal("中国共产党纪律处分条例", lang="zh-Hans") in alt
    assert Literal("中国共产党纪律处分条例", lang="zh-Hans") in set(rdf_graph.objects(reg, rdflib.DCTERMS.title))
    assert (reg, RDF.type, URIRef("http://data.europa.eu/eli/ontology#LegalResource")) in rdf_graph
    film = next(rdf_graph.subjects(rdf.KG.key, Literal("半条棉被")))
    assert (film, RDF.type, URIRef("http://data.europa.eu/eli/ontology#LegalResource")) not in rdf_graph


def test_every_triple_traceable_to_a_span(rdf_graph, seed_files):
    texts = {}
    for p in seed_files:
        from kg.read import read_source

        doc = read_source(str(p))
        texts[doc.sha256] = doc.text
    keys = {s: str(k) for s, k in rdf_graph.subject_objects(rdf.KG.key)}
    annotations = set(rdf_graph.subjects(RDF.type, rdf.OA.Annotation))
    assert len(annotations) > 300
    for ev in annotations:
        target = rdf_graph.value(ev, rdf.OA.hasTarget)
        text = texts[keys[rdf_graph.value(target, rdf.OA.hasSource)]]
        sel = {rdf_graph.value(s, RDF.type): s for s in rdf_graph.objects(target, rdf.OA.hasSelector)}
        if not sel:  # a notice as a whole: read without a title line, counted by a derived relationship, a copy of it
            assert (None, rdf.KG.evidence, ev) in rdf_graph
            assert rdf_graph.value(ev, rdf.KG.rule) in {rdflib.Literal(rule) for rule in (
                "document.read", "derived.co_cited", "derived.organization_cites", "copy.first", "copy.same_bytes",
                "copy.same_text")}
            continue
        start = int(rdf_graph.value(sel[rdf.OA.TextPositionSelector], rdf.OA.start))
        end = int(rdf_graph.value(sel[rdf.OA.TextPositionSelector], rdf.OA.end))
        if rdf.OA.TextQuoteSelector in sel:
            assert text[start:end] == str(rdf_graph.value(sel[rdf.OA.TextQuoteSelector], rdf.OA.exact))
        else:  # a long span: its start and end
            assert len(text[start:end]) > 60
            assert str(rdf_graph.value(ev, rdf.KG.excerpt)) == text[start:start + 45] + "…" + text[end - 14:end]


def test_counts_equal_the_embedded_store(rdf_graph, seed_store):
    m, mapping = model(), rdf.mapping()
    for label, spec in mapping["nodes"].items():
        cls = rdf.ns(spec["classes"][0])
        resources = {s for s in rdf_graph.subjects(RDF.type, cls) if (s, rdf.KG.key, None) in rdf_graph}
        stored = seed_store.query(f"MATCH (n:{label}) RETURN count(n)")[1][0][0]
        assert len(resources) == stored, label
    for rel_type in m.relationships:
        links = set(rdf_graph.subjects(rdf.KG.relationshipType, Literal(rel_type)))
        stored = seed_store.query(f"MATCH ()-[r:{rel_type}]->() RETURN count(r)")[1][0][0]
        assert len(links) == stored, rel_type


def _rows(columns, rows):
    """Rows as comparable dicts; lists and |-joined names as sets."""
    out = []
    for row in rows:
        d = dict(zip(columns, row))
        if "names" in d:
            d["names"] = sorted(d["names"].split("|")) if isinstance(d["names"], str) else sorted(d["names"])
        out.append(d)
    return out


@pytest.mark.parametrize("name", sorted(library("sparql")))
def test_sparql_answers_equal_cypher_answers(rdf_graph, seed_store, name):
    sparql, cypher = library("sparql")[name], library("cypher")[name]
    given = {"title": "中国共产党纪律处分条例"} if any(p.name == "title" for p in cypher.params) else {}
    want = _rows(*seed_store.query(cypher.cypher, cypher.bind(given)))
    got = _rows(*rdf.sparql(rdf_graph, sparql.cypher, sparql.bind(given)))
    assert got == want
    assert len(want) >= 4


def test_hostile_sparql_value_is_only_a_binding(rdf_graph):
    q = library("sparql")["citing-documents"]
    before = len(rdf_graph)
    attack = '") } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o FILTER("'
    assert rdf.sparql(rdf_graph, q.cypher, q.bind({"title": attack}))[1] == []
    assert len(rdf_graph) == before


def test_round_trip_back_into_the_model(graph, rdf_graph):
    back = rdf.to_model(rdf_graph)
    assert {k: (n.props, canonical(n.provenance)) for k, n in graph.nodes.items()} == \
           {k: (n.props, canonical(n.provenance)) for k, n in back.nodes.items()}
    assert {k: (r.start, r.end, r.props, canonical(r.provenance)) for k, r in graph.relationships.items()} == \
           {k: (r.start, r.end, r.props, canonical(r.provenance)) for k, r in back.relationships.items()}


def test_vocabulary_defines_every_kg_term():
    vocab = rdflib.Graph().parse(data=schema_path("kg.ttl").read_text(encoding="utf-8"), format="turtle")
    used = set(re.findall(r'"kg:(\w+)"', schema_path("rdf.json").read_text(encoding="utf-8")))
    used |= {"key", "relationshipType", "evidence", "rule"}
    for term in used:
        iri = URIRef(rdf.mapping()["vocabulary"] + term)
        assert (iri, rdflib.RDFS.label, None) in vocab, term
        assert (iri, rdflib.RDFS.comment, None) in vocab, term


def test_mapping_covers_the_model():
    m, mapping = model(), rdf.mapping()
    assert set(mapping["nodes"]) == set(m.nodes)
    for label, props in m.nodes.items():
        assert set(mapping["nodes"][label]["properties"]) == set(props), label
    assert set(mapping["relationships"]) == set(m.relationships)
    rel_props = {p for spec in m.relationships.values() for p in spec["properties"]}
    assert set(mapping["relationship_properties"]) == rel_props


def test_cli_export_sparql_validate_import(tmp_path, seed_store):
    ttl = tmp_path / "seeds.ttl"
    assert kg("export", str(seed_store.path), "--format", "turtle", "--out", str(ttl)).returncode == 0
    result = kg("sparql", str(ttl), "--name", "recurring-regulations", "--format", "json")
    assert result.returncode == 0, result.stderr.decode()
    assert len(json.loads(result.stdout)) == 4
    assert kg("validate", str(ttl)).returncode == 0
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix kg: <https://w3id.org/kg-notices/vocab#> .\n<http://x/a> a kg:Notice .\n", encoding="utf-8")
    result = kg("validate", str(bad))
    assert result.returncode == 1 and "does not conform" in result.stderr.decode()
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle", encoding="utf-8")
    result = kg("validate", str(broken))
    assert result.returncode == 1 and result.stderr.decode().startswith(f"kg: {broken}: not readable as turtle")
    db = tmp_path / "imported.kg"
    assert kg("import", str(ttl), "--db", str(db)).returncode == 0
    stats = kg("stats", "--db", str(db), "--format", "csv").stdout.decode()
    assert "node,Regulation,94" in stats and "relationship,CITES,111" in stats


def test_import_replaces_a_store_only_when_asked(tmp_path, seed_store, seed_files):
    ttl = tmp_path / "seeds.ttl"
    assert kg("export", str(seed_store.path), "--out", str(ttl)).returncode == 0
    db = tmp_path / "seeds.kg"
    assert kg("build", *map(str, seed_files), "--db", str(db)).returncode == 0
    built = (db / "current" / "build.json").read_text(encoding="utf-8")
    day = json.loads(built)["build_id"][:8]
    day = f"{day[:4]}-{day[4:6]}-{day[6:]}"
    result = kg("import", str(ttl), "--db", str(db))
    assert result.returncode == 1
    assert result.stderr.decode().splitlines() == [
        f"kg: {db}: holds a graph built from 5 notices on {day}; give --replace to replace it with the import"]
    assert (db / "current" / "build.json").read_text(encoding="utf-8") == built
    result = kg("import", str(ttl), "--db", str(db), "--replace")
    assert result.returncode == 0, result.stderr.decode()
    assert "replacing the graph built from 5 notices" in result.stderr.decode()
    assert json.loads((db / "current" / "build.json").read_text(encoding="utf-8"))["imported_from"] == str(ttl)
    assert f"imported from {ttl} on" in kg("import", str(ttl), "--db", str(db)).stderr.decode()
    rebuilt = kg("build", *map(str, seed_files), "--db", str(db))
    assert f"{db}: rebuilt in full: the store was imported from {ttl}" in rebuilt.stderr.decode().splitlines()
    (tmp_path / "empty.kg").mkdir()
    assert kg("import", str(ttl), "--db", str(tmp_path / "empty.kg")).returncode == 0  # an empty folder needs no flag


@pytest.fixture()
def endpoint():
    """A local SPARQL endpoint that records every request it gets (and answers none)."""
    import http.server
    import threading

    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            hits.append(self.path)
            self.send_error(500)

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/sparql", hits
    server.shutdown()


def test_sparql_reads_nothing_but_its_file(graph, tmp_path, endpoint):
    ttl, trig, secret = tmp_path / "seeds.ttl", tmp_path / "seeds.trig", tmp_path / "secret.ttl"
    ttl.write_text(export(graph, "turtle"), encoding="utf-8")
    trig.write_text(export(graph, "trig"), encoding="utf-8")
    secret.write_text('<http://example.org/secret> <http://example.org/says> "SECRET" .\n', encoding="utf-8")
    for clause in ("FROM", "FROM NAMED"):
        query = f"SELECT ?o {clause} <{secret.as_uri()}> WHERE {{ {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} }} }}"
        result = kg("sparql", str(ttl), query, "--format", "json")
        assert b"SECRET" not in result.stdout
        assert (result.returncode, result.stderr.decode()) == (1, (
            f"kg: {ttl}: SPARQL query refused: {clause} <{secret.as_uri()}> names a graph not in {ttl}; "
            "kg sparql reads no other file or URL\n"))
    url, hits = endpoint
    result = kg("sparql", str(ttl), f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}")
    assert (result.returncode, result.stderr.decode()) == (1, (
        f"kg: {ttl}: SPARQL query refused: SERVICE <{url}> would query another endpoint over the network; "
        f"kg sparql answers from {ttl} only\n"))
    assert hits == []
    # FROM a graph the file holds (a TriG export's named graph) reads nothing else: allowed.
    result = kg("sparql", str(trig), "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/kg-notices/id/graph> "
                "WHERE { ?s ?p ?o }", "--format", "json")
    assert result.returncode == 0 and json.loads(result.stdout)[0]["n"] == len(export(graph).splitlines())
