"""RDF syntaxes (kg.backends.rdf_syntax): every syntax kg exports says exactly the triples
rdflib's own N-Triples serializer writes for the mapper's triples, read back by rdflib
and by Oxigraph; hostile text and keys survive; memory stays bounded on a large store."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Literal, URIRef

from kg.backends import rdf
from kg.errors import KgError
from kg.graph import Graph, Node
from kg.resolve import build_graph

# Each syntax kg exports → (rdflib's parser, Oxigraph's format).
PARSERS = {"nt": ("nt", ox.RdfFormat.N_TRIPLES), "turtle": ("turtle", ox.RdfFormat.TURTLE),
           "trig": ("trig", ox.RdfFormat.TRIG), "jsonld": ("json-ld", ox.RdfFormat.JSON_LD)}


def export(source, fmt: str, base: str | None = None) -> str:
    out = io.StringIO()
    rdf.write(source, fmt, out, base)
    return out.getvalue()


def reference(source, base: str | None = None) -> set:
    """The mapper's triples as rdflib serializes them (N-Triples), read back: what kg's
    N-Triples export wrote before every syntax was streamed by kg."""
    g = rdflib.Graph()
    for chunk in rdf.Mapper(base).chunks(source):
        for t in chunk:
            g.add(t)
    return set(rdflib.Graph().parse(data=g.serialize(format="nt"), format="nt"))


def read_rdflib(text: str, fmt: str) -> set:
    g = rdflib.Dataset()
    with rdf._quiet():
        g.parse(data=text, format=PARSERS[fmt][0])
        return {q[:3] for q in g.quads()}


def read_oxigraph(text: str, fmt: str) -> tuple[set, set]:
    """(the triples, as rdflib terms by way of Oxigraph's N-Triples; the graph names)."""
    quads = list(ox.parse(text.encode(), PARSERS[fmt][1]))
    nt = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads], format=ox.RdfFormat.N_TRIPLES)
    triples = set(rdflib.Graph().parse(data=nt.decode(), format="nt"))
    return triples, {str(q.graph_name) for q in quads}


@pytest.fixture(scope="module")
def graph(records):
    return build_graph(records.values())


@pytest.fixture(scope="module")
def expected(graph):
    return reference(graph)


def test_every_exported_syntax_is_tested():
    assert set(PARSERS) == set(rdf.FORMATS)


@pytest.mark.parametrize("fmt", sorted(PARSERS))
def test_seed_export_equals_rdflib_nt(graph, expected, fmt):
    text = export(graph, fmt)
    assert read_rdflib(text, fmt) == expected
    triples, graphs = read_oxigraph(text, fmt)
    assert triples == expected
    assert graphs == ({"<https://w3id.org/kg-notices/id/graph>"} if fmt == "trig" else {"DEFAULT"})


def test_turtle_groups_a_subject_and_declares_prefixes_once(graph):
    text = export(graph, "turtle")
    assert text.count("@prefix kg:") == 1 and text.startswith("@prefix")
    assert "\n    a kg:Notice ;\n" in text and "kg:key" in text


HOSTILE = ('他说"好" \\ back\\slash\\ \nnew line\r\n"""三引号""" <tag> ends> \x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f '
           'tab\t\u2028 #frag %41 中国共产党纪律处分条例 "')
KEY = 'a> <b "c" {d}|^`\\e f/g#h?i 中国 '  # percent-encoded into its IRI


def hostile_graph() -> Graph:
    g = Graph()
    short = '""">\n\\'  # quoted whole (oa:exact), the long one as an excerpt
    entries = [{"doc": "d" * 64, "span": [3, 3 + len(short)], "rule": 'rule "x"\n>', "quote": short},
               {"doc": "d" * 64, "span": [0, 5], "rule": "r", "quote": HOSTILE}]
    g.nodes[("Organization", KEY)] = Node("Organization", KEY, {"name": HOSTILE, "region": HOSTILE[:9], "scope": None,
                                                                "same_as": None}, entries)
    g.nodes[("Regulation", HOSTILE)] = Node("Regulation", HOSTILE, {"title": HOSTILE, "kind": "party_regulation"},
                                            entries[1:])
    return g


@pytest.mark.parametrize("fmt", sorted(PARSERS))
def test_hostile_text_and_keys_survive(fmt):
    g = hostile_graph()
    text = export(g, fmt)
    expected = reference(g)
    assert read_rdflib(text, fmt) == expected
    assert read_oxigraph(text, fmt)[0] == expected
    objects = {o for _, _, o in expected}
    assert Literal(HOSTILE, lang="zh-Hans") in objects and Literal(KEY) in objects and Literal(HOSTILE) in objects
    org = URIRef(rdf.Mapper().node("Organization", KEY))
    assert (org, rdf.KG.key, Literal(KEY)) in expected and ">" not in org and " " not in org


@pytest.mark.parametrize("base", ["http://x.org/a>b/", "http://x.org/a b/", "http://x.org/\n/", "relative/path/",
                                  "kg:notices/", 'http://x.org/"/'])
def test_base_no_syntax_can_hold_is_refused(graph, base):
    with pytest.raises(KgError, match="base IRI"):
        export(hostile_graph(), "nt", base)


# Peak memory of `kg export` from the store of 1 000 generated notices, each syntax in its
# own process. Streamed, every syntax measured 271 MB (bench stage rdf), most of it
# LadybugDB's result of one label; a graph held in memory is gigabytes (JSON-LD passed
# 6 GB at 2 000 notices before it streamed).
EXPORT_PEAK_MB = 450


@pytest.mark.parametrize("fmt", sorted(PARSERS))
def test_export_memory_is_bounded(generated, fmt):
    _, store = generated(1000)
    kg_exe = str(Path(sys.executable).with_name("kg"))
    measure = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024); sys.exit(done.returncode)")
    result = subprocess.run([sys.executable, "-c", measure, kg_exe, "export", str(store.path), "--format", fmt],
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stderr
    peak_mb = int(result.stdout.split()[-1])
    assert peak_mb < EXPORT_PEAK_MB, f"kg export --format {fmt} peaked at {peak_mb} MB"
