"""kg export --network: each network reads back with networkx (GraphML, GEXF) and csv,
its weights are the store's counts, and --top, --min-weight and --kind cut it."""
from __future__ import annotations

import csv
from collections import defaultdict

import networkx as nx
import pytest

from kg import networks
from tests.cli import kg

FORMATS = ("graphml", "gexf", "csv")


def read(path) -> nx.Graph:
    """A written network as networkx reads it (CSV: edges and the nodes file beside)."""
    if path.suffix == ".graphml":
        return nx.read_graphml(path)
    if path.suffix == ".gexf":
        return nx.read_gexf(path)
    with open(networks.nodes_path(path), encoding="utf-8", newline="") as f:
        nodes = list(csv.DictReader(f))
    with open(path, encoding="utf-8", newline="") as f:
        edges = list(csv.DictReader(f))
    g = nx.DiGraph() if edges and edges[0]["Type"] == "Directed" else nx.Graph()
    g.add_nodes_from((n["Id"], {"label": n["Label"], **{k: v for k, v in n.items() if v}}) for n in nodes)
    g.add_edges_from((e["Source"], e["Target"], {**{k: v for k, v in e.items() if v}, "weight": float(e["Weight"])})
                     for e in edges)
    return g


def store_citations(store, kind: str = "") -> dict[tuple[str, str], int]:
    """(organization, regulation) → ORGANIZATION_CITES documents summed over its actions."""
    rows = store.query("MATCH (o:Organization)-[c:ORGANIZATION_CITES]->(r:Regulation) "
                       "WHERE r.kind <> 'not_regulation' AND (($kind = '' AND r.scope = 'global') OR r.kind = $kind) "
                       "RETURN o.key, r.key, c.documents", {"kind": kind})[1]
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for org, reg, documents in rows:
        counts[f"Organization:{org}", f"Regulation:{reg}"] += documents
    return dict(counts)


def store_co_cited(store) -> dict[frozenset, int]:
    rows = store.query("MATCH (a:Regulation)-[c:CO_CITED]->(b:Regulation) WHERE a.scope = 'global' AND "
                       "b.scope = 'global' RETURN a.key, b.key, c.documents")[1]
    return {frozenset((f"Regulation:{a}", f"Regulation:{b}")): n for a, b, n in rows}


def store_inspections(store) -> dict[tuple[str, str], int]:
    rows = store.query("MATCH (t:InspectionTeam)<-[:CONDUCTED_BY]-(i:Inspection)-[:INSPECTED]->(o:Organization) "
                       "RETURN t.key, o.key, count(i)")[1]
    return {(f"InspectionTeam:{t}", f"Organization:{o}"): n for t, o, n in rows}


def export(store, tmp_path, name: str, fmt: str, *options: str) -> nx.Graph:
    out = tmp_path / f"{name}{'-'.join(options)}.{fmt}"
    result = kg("export", str(store.path), "--network", name, "--out", str(out), *options)
    assert result.returncode == 0, result.stderr.decode()
    assert f"{len(read(out))} node" in result.stderr.decode()
    return read(out)


def weights(g: nx.Graph, relation: str | None = None) -> dict:
    key = (lambda s, t: (s, t)) if g.is_directed() else (lambda s, t: frozenset((s, t)))
    return {key(s, t): int(w) for s, t, a in g.edges(data=True)
            for w in [a["weight"]] if relation is None or a.get("relation", relation) == relation}


@pytest.mark.parametrize("fmt", FORMATS)
def test_citations_weights_are_the_stores_counts(seed_store, tmp_path, fmt):
    g = export(seed_store, tmp_path, "citations", fmt)
    expected = store_citations(seed_store)
    assert g.is_directed() and weights(g) == expected
    assert set(g) == {n for pair in expected for n in pair}  # every node on an edge, no other
    org = g.nodes["Organization:天津市妇女联合会"]
    assert org["label"] == "天津市妇女联合会" and org["type"] == "organization" and org["province"] == "天津市"
    reg = g.nodes["Regulation:中国共产党纪律处分条例"]
    assert reg["kind"] == "party_regulation" and int(reg["organizations"]) == 2  # as recurring-regulations counts
    assert not any(a.get("kind") in ("internal_rule", "not_regulation") for _, a in g.nodes(data=True))


def test_citations_edges_count_each_action(seed_store):
    net = networks.network(seed_store, "citations")
    for _, _, a in net.edges:
        assert a["weight"] == sum(a[action] for action in networks.ACTIONS)


def test_kind_filter(seed_store, tmp_path):
    g = export(seed_store, tmp_path, "citations", "gexf", "--kind", "internal_rule")
    assert weights(g) == store_citations(seed_store, "internal_rule") and len(g) > 0
    assert {a["kind"] for n, a in g.nodes(data=True) if a["type"] == "regulation"} == {"internal_rule"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_co_citation_weights_and_communities(seed_store, tmp_path, fmt):
    g = export(seed_store, tmp_path, "co-citation", fmt)
    assert not g.is_directed() and weights(g) == store_co_cited(seed_store) and len(g) == 2
    assert {int(a["community"]) for _, a in g.nodes(data=True)} == {1}


@pytest.mark.parametrize("fmt", FORMATS)
def test_inspections_network(seed_store, tmp_path, fmt):
    g = export(seed_store, tmp_path, "inspections", fmt)
    assert weights(g, "inspected") == store_inspections(seed_store)
    types = defaultdict(int)
    for _, a in g.nodes(data=True):
        types[a["type"]] += 1
    assert types == {"committee": 4, "team": 4, "organization": 4}
    if fmt != "csv":  # the dates ride on the edge
        edge = g.edges["InspectionTeam:湘潭市委|巡察|3|", "Organization:湘潭市妇女联合会"]
        assert (edge["start_date"], edge["end_date"]) == ("2023-10-11", "2023-12-01")
        assert g.edges["Committee:湘潭市委", "InspectionTeam:湘潭市委|巡察|3|"]["relation"] == "sent"


def test_top_and_min_weight_cut_the_edges(seed_store, tmp_path):
    expected = store_citations(seed_store)
    heavy = export(seed_store, tmp_path, "citations", "graphml", "--min-weight", "2")
    assert weights(heavy) == {k: w for k, w in expected.items() if w >= 2} and len(heavy) > 0
    top = export(seed_store, tmp_path, "citations", "graphml", "--top", "3")
    assert len(weights(top)) == 3
    assert min(weights(top).values()) >= sorted(expected.values(), reverse=True)[2]


def test_refusals(seed_store, tmp_path):
    db = str(seed_store.path)
    cases = [(["--network", "citations", "--out", str(tmp_path / "x.ttl")], "does not write .ttl"),
             (["--network", "inspections", "--kind", "law"], "inspections network has none"),
             (["--top", "3"], "go with --network"),
             (["--network", "citations", "--format", "jsonl"], "graphml or gexf on stdout")]
    for args, said in cases:
        result = kg("export", db, *args)
        assert result.returncode != 0 and said in result.stderr.decode(), (args, result.stderr)
    assert not (tmp_path / "x.ttl").exists()


def test_graphml_on_stdout(seed_store):
    result = kg("export", str(seed_store.path), "--network", "co-citation")
    assert result.returncode == 0 and result.stdout.startswith(b"<?xml") and "关于新形势下".encode() in result.stdout


def test_generated_notices(generated, tmp_path):
    _, store = generated(1000)
    for fmt in ("graphml", "gexf", "csv"):
        citations = export(store, tmp_path, "citations", fmt)
        assert weights(citations) == store_citations(store)
        co = export(store, tmp_path, "co-citation", fmt)
        assert weights(co) == store_co_cited(store)
        assert weights(export(store, tmp_path, "inspections", fmt), "inspected") == store_inspections(store)
    # Communities as kg.trends.louvain finds them on the whole CO_CITED graph: each one
    # a set of regulations, numbered from 1 with none skipped.
    numbers = {int(a["community"]) for _, a in co.nodes(data=True) if "community" in a}
    assert numbers == set(range(1, len(numbers) + 1)) and len(numbers) > 1
    top = export(store, tmp_path, "co-citation", "gexf", "--top", "50")
    assert top.number_of_edges() == 50
    assert min(weights(top).values()) >= sorted(store_co_cited(store).values(), reverse=True)[49]


@pytest.mark.parametrize("fmt", ("graphml", "gexf"))
def test_markup_and_controls_in_names_read_back(tmp_path, fmt):
    net = networks.Network("citations", directed=True)
    net.nodes = {"Organization:a": {"label": '市"妇联"<&>\x0c', "type": "organization"},
                 "Regulation:b": {"label": "《条例》", "type": "regulation", "organizations": 1}}
    net.edges = [("Organization:a", "Regulation:b", {"weight": 2, "studied": 2})]
    out = tmp_path / f"n.{fmt}"
    networks.write(net, str(out))
    g = read(out)
    assert g.nodes["Organization:a"]["label"] == '市"妇联"<&>\ufffd'  # XML cannot hold a form feed
    assert g.edges["Organization:a", "Regulation:b"]["weight"] == 2 and int(g.nodes["Regulation:b"]["organizations"]) == 1
