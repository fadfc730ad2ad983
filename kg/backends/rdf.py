"""RDF: the graph in a published vocabulary (schema/kg.ttl), mapped by schema/rdf.json.

- every node is a resource `{base}{path}/{key}` typed with standard classes where they
  fit, with kg:key, its properties, kg:evidence (Web Annotation spans) and
  prov:wasDerivedFrom the notices it comes from;
- every relationship is a direct triple (doc eli:cites regulation) and an rdf:Statement
  `{base}rel/{TYPE}/{key}` holding its key, properties and provenance, so that two
  citations of one title by one notice stay two, as in the property graph;
- every piece of evidence is an oa:Annotation `{base}evidence/{hash}` whose target has
  an oa:TextPositionSelector (start, end) and an oa:TextQuoteSelector (the quoted text)
  on the notice, and which names the extraction rule (kg:rule).
IRIs derive from keys only, so exporting again gives the same IRIs. Triples are produced
node by node from a row source and written as they come (kg.backends.rdf_syntax), so
every syntax streams.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import re
import warnings
from collections.abc import Iterator
from functools import lru_cache
from typing import TextIO
from urllib.parse import quote, unquote

from rdflib import RDF, Graph as RdfGraph, Literal, Namespace, URIRef
from rdflib.namespace import XSD, NamespaceManager

from kg.backends import rdf_syntax
from kg.backends.rdf_syntax import NOT_IN_IRI
from kg.errors import KgError
from kg.graph import Graph, Node, canonical, model, quote_is_whole
from kg.normalize import to_simplified
from kg.schema import load_json

FORMATS = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "trig": "trig"}
SEEN_LIMIT = 1_000_000  # evidence and direct triples remembered as written (about 60-80 MB each)


class _Vocabulary(Namespace):
    """A Namespace that makes each of its terms once: the mapper asks for a few dozen of
    them millions of times, and rdflib would build and check a new URIRef each time."""

    def term(self, name: str) -> URIRef:
        made = _TERMS.get((self, name))
        if made is None:
            made = _TERMS[(self, name)] = super().term(name)
        return made


_TERMS: dict[tuple[str, str], URIRef] = {}


OA = _Vocabulary("http://www.w3.org/ns/oa#")
PROV = _Vocabulary("http://www.w3.org/ns/prov#")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


@lru_cache(maxsize=1)
def mapping() -> dict:
    return load_json("rdf.json")


@lru_cache(maxsize=None)  # a few dozen vocabulary terms, asked for on every triple
def ns(curie: str) -> URIRef:
    prefix, local = curie.split(":", 1)
    return URIRef(mapping()["prefixes"][prefix] + local)


KG = _Vocabulary(load_json("rdf.json")["vocabulary"])


class Mapper:
    """Rows of the graph model → RDF terms, for one base IRI."""

    def __init__(self, base: str | None = None):
        m = mapping()
        self.base = base or m["default_base"]
        if not self.base.endswith(("/", "#")):
            raise KgError(f"base IRI must end with / or #: {self.base!r}")
        if NOT_IN_IRI.search(self.base) or not _SCHEME.match(self.base):
            raise KgError(f"base IRI must be an absolute IRI (scheme:…) with no space, control character "
                          f"or any of <>\"{{}}|^`\\: {self.base!r}")
        if self.base.split(":", 1)[0] in m["prefixes"]:  # JSON-LD would read it as prefix:local
            raise KgError(f"base IRI's scheme is one of kg's prefixes: {self.base!r}")
        self.lang = set(m["lang"])
        self.dates = model().dates
        self.datatypes: dict[str, str] = m.get("datatypes", {})
        # What was written already, kept small (a store has millions): an evidence IRI's
        # digest as a number; a direct triple as a 128-bit digest (doc eli:cites reg once,
        # however often it cites it). Each set is emptied at SEEN_LIMIT, so memory stays
        # bounded: a triple written again later is the same triple (RDF graphs are sets;
        # every reader merges it), the file just a little longer.
        self._seen_evidence: set[int] = set()
        self._seen_edges: set[bytes] = set()

    # -- IRIs ----------------------------------------------------------------------
    def node(self, label: str, key: str) -> URIRef:
        return URIRef(f"{self.base}{mapping()['nodes'][label]['path']}/{quote(key, safe='')}")

    def statement(self, rel_type: str, key: str) -> URIRef:
        return URIRef(f"{self.base}rel/{rel_type}/{quote(key, safe='')}")

    def evidence(self, entry: dict) -> URIRef:
        digest = hashlib.sha1(f"{entry['doc']}|{entry['span'][0]}|{entry['span'][1]}|{entry['rule']}".encode()).hexdigest()
        return URIRef(f"{self.base}evidence/{digest[:24]}")

    # -- values --------------------------------------------------------------------
    def literal(self, label: str, prop: str, value) -> Literal:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise KgError(f"{label}.{prop}: no RDF literal for {value!r}")
        if isinstance(value, int):
            return Literal(value, datatype=XSD.integer)
        if prop in self.dates:  # a period stated to the month (2022-05) is a gYearMonth
            return Literal(value, datatype=XSD.gYearMonth if len(value) == 7 else XSD.date)
        if prop in self.datatypes:
            datatype = ns(self.datatypes[prop])
            if datatype == XSD.dateTime and "T" not in value:  # a fetch time known to the day
                datatype = XSD.date
            return Literal(value, datatype=datatype)
        if prop in self.lang or f"{prop}@{label}" in self.lang:
            return Literal(value, lang="zh-Hans")
        return Literal(value)

    # -- triples -------------------------------------------------------------------
    def node_triples(self, label: str, row: dict) -> Iterator[tuple]:
        spec = mapping()["nodes"][label]
        s = self.node(label, row["key"])
        for cls in spec["classes"]:
            yield s, RDF.type, ns(cls)
        if label == "Regulation" and row.get("kind") != "not_regulation":
            yield s, RDF.type, ns(spec["legal_class"])
        yield s, KG.key, Literal(row["key"])
        for prop, predicate in spec["properties"].items():
            value = row.get(prop)
            if value is None:
                continue
            if prop == "raw_forms":
                for form in json.loads(value):
                    yield s, ns(predicate), Literal(form, lang="zh-Hans" if to_simplified(form) == form else "zh-Hant")
            elif prop == "same_as":  # names a curation file merged into this one: the same resource
                for merged in json.loads(value):
                    yield s, ns(predicate), self.node(label, merged)
            elif prop == "themes":
                for term in json.loads(value):
                    yield s, ns(predicate), Literal(term, lang="zh-Hans")
            else:
                yield s, ns(predicate), self.literal(label, prop, value)
        yield from self._provenance(s, row["provenance"])

    def relationship_triples(self, rel_type: str, row: dict) -> Iterator[tuple]:
        spec = model().relationships[rel_type]
        predicate = ns(mapping()["relationships"][rel_type])
        a, b = self.node(spec["from"], row["from"]), self.node(spec["to"], row["to"])
        edge = hashlib.blake2b(f"{a} {predicate} {b}".encode(), digest_size=16).digest()
        if edge not in self._seen_edges:
            if len(self._seen_edges) >= SEEN_LIMIT:
                self._seen_edges.clear()
            self._seen_edges.add(edge)
            yield a, predicate, b
        st = self.statement(rel_type, row["key"])
        yield st, RDF.type, RDF.Statement
        yield st, RDF.subject, a
        yield st, RDF.predicate, predicate
        yield st, RDF.object, b
        yield st, KG.relationshipType, Literal(rel_type)
        yield st, KG.key, Literal(row["key"])
        for prop, curie in mapping()["relationship_properties"].items():
            if prop in spec["properties"] and row.get(prop) is not None:
                yield st, ns(curie), self.literal(rel_type, prop, row[prop])
        yield from self._provenance(st, row["provenance"])

    def _provenance(self, subject: URIRef, provenance_json: str) -> Iterator[tuple]:
        for entry in json.loads(provenance_json or "[]"):
            doc = self.node("Document", entry["doc"])
            ev = self.evidence(entry)
            if subject != doc:  # a notice is not derived from itself
                yield subject, PROV.wasDerivedFrom, doc
            yield subject, KG.evidence, ev
            seen = int(ev[-24:], 16)  # the IRI's digest
            if seen in self._seen_evidence:
                continue
            if len(self._seen_evidence) >= SEEN_LIMIT:
                self._seen_evidence.clear()
            self._seen_evidence.add(seen)
            target, position, quote_sel = URIRef(f"{ev}#target"), URIRef(f"{ev}#position"), URIRef(f"{ev}#quote")
            yield ev, RDF.type, OA.Annotation
            yield ev, OA.motivatedBy, OA.identifying
            yield ev, KG.rule, Literal(entry["rule"])
            yield ev, OA.hasTarget, target
            yield target, OA.hasSource, doc
            if entry["span"] == [0, 0] and not entry["quote"]:
                continue  # the notice as a whole (one without a title line): no empty selection
            yield target, OA.hasSelector, position
            yield position, RDF.type, OA.TextPositionSelector
            yield position, OA.start, Literal(entry["span"][0], datatype=XSD.nonNegativeInteger)
            yield position, OA.end, Literal(entry["span"][1], datatype=XSD.nonNegativeInteger)
            if quote_is_whole(entry):
                yield target, OA.hasSelector, quote_sel
                yield quote_sel, RDF.type, OA.TextQuoteSelector
                yield quote_sel, OA.exact, Literal(entry["quote"])
            else:  # oa:exact must be the exact text; an abbreviated quote is only an excerpt
                yield ev, KG.excerpt, Literal(entry["quote"])

    def chunks(self, source) -> Iterator[list[tuple]]:
        """Triples a node or relationship at a time, streamed from a row source."""
        m = model()
        # dict.fromkeys: a subject cites one notice in several places, but is derived from it once
        for label in m.nodes:
            for row in source.rows(label):
                yield list(dict.fromkeys(self.node_triples(label, row)))
        for rel_type in m.relationships:
            for row in source.relationship_rows(rel_type):
                yield list(dict.fromkeys(self.relationship_triples(rel_type, row)))


def _bind(g: RdfGraph) -> RdfGraph:
    g.namespace_manager = NamespaceManager(g, bind_namespaces="none")  # kg's prefixes only, not rdflib's 30
    for prefix, iri in mapping()["prefixes"].items():
        g.bind(prefix, iri, override=True)
    return g


@lru_cache(maxsize=1)
def written_prefixes() -> dict[str, str]:
    """The prefixes the mapper can write a term in: those of schema/rdf.json's terms and of
    the ones it spells itself (rdf:, xsd:, oa:, prov:, kg:). JSON-LD's @context is written
    before the first node, so it names these rather than the ones a given store uses."""
    m = mapping()
    curies = [c for spec in m["nodes"].values() for c in [*spec["classes"], spec.get("legal_class", "kg:"),
                                                             *spec["properties"].values()]]
    curies += [*m["relationships"].values(), *m["relationship_properties"].values()]
    used = {c.split(":", 1)[0] for c in curies} | {"rdf", "xsd", "oa", "prov", "kg"}
    return {p: iri for p, iri in m["prefixes"].items() if p in used}


def write(source, fmt: str, out: TextIO, base: str | None = None) -> None:
    """Serialize the graph of `source` (a Graph or store rows) as `fmt`, streamed a node
    or relationship at a time in every syntax (kg.backends.rdf_syntax)."""
    if fmt not in FORMATS:
        raise KgError(f"unknown RDF format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    mapper = Mapper(base)
    chunks, prefixes = mapper.chunks(source), mapping()["prefixes"]
    if fmt == "nt":
        rdf_syntax.write_nt(chunks, out)
    elif fmt == "jsonld":
        rdf_syntax.write_jsonld(chunks, out, written_prefixes())
    else:
        rdf_syntax.write_turtle(chunks, out, prefixes, graph=f"{mapper.base}graph" if fmt == "trig" else None)


def write_rows(source, out: TextIO, fmt: str, base: str | None = None) -> None:
    """write() in the registry's shape (kg.backends: rows, out, options)."""
    write(source, fmt, out, base)


def parse(path: str) -> RdfGraph:
    """An RDF file (format by its suffix) into an rdflib graph. A dataset (TriG, N-Quads,
    JSON-LD with named graphs) is read whole: its default graph and every named graph,
    so queries see every triple (GRAPH ?g patterns included). A file with no triple is
    an error, not an empty success."""
    from rdflib import Dataset
    from rdflib.util import guess_format

    fmt = guess_format(path) or "turtle"
    g = Dataset(default_union=True)
    try:
        with _quiet():
            g.parse(path, format=fmt)
    except FileNotFoundError:
        raise KgError(f"{path}: no such file") from None
    except Exception as e:  # rdflib raises many parser-specific errors
        raise KgError(f"{path}: not readable as {fmt} ({type(e).__name__}: {str(e)[:200]})") from None
    if len(union(g)) == 0:
        raise KgError(f"{path}: no triples in it (in its default graph or any named graph)")
    return g


@contextlib.contextmanager
def _quiet():
    """rdflib's Dataset calls its own deprecated API (default_context) on every parse and
    query: nothing a user can act on."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        yield


def union(g) -> RdfGraph:
    """Every triple of a dataset (or a graph) in one plain graph."""
    if not hasattr(g, "contexts"):
        return g
    out = _bind(RdfGraph())
    with _quiet():
        for t in g.triples((None, None, None)):
            out.add(t[:3])
    return out


def to_model(g: RdfGraph) -> Graph:
    """The graph-model view of an RDF export (for kg import): nodes, relationships,
    provenance. Provenance entries come back sorted (RDF keeps no order)."""
    m, rm = model(), mapping()
    g = union(g)
    graph = Graph()
    keys = {s: str(k) for s, k in g.subject_objects(KG.key)}
    for label, spec in rm["nodes"].items():
        cls = ns(spec["classes"][0])
        for s in g.subjects(RDF.type, cls):
            props = {}
            for prop, curie in spec["properties"].items():
                values = list(g.objects(s, ns(curie)))
                if prop == "same_as":
                    merged = sorted(unquote(str(v).rsplit("/", 1)[1]) for v in values)
                    props[prop] = json.dumps(merged, ensure_ascii=False) if merged else None
                elif prop in m.lists:  # RDF keeps no order: the elements come back sorted
                    props[prop] = json.dumps(sorted(str(v) for v in values), ensure_ascii=False) if values else None
                elif values:
                    props[prop] = values[0].toPython() if m.nodes[label][prop] == "INT64" else str(values[0])
                else:
                    props[prop] = None
            graph.nodes[(label, keys[s])] = Node(label, keys[s], props, _entries(g, s, keys))
    for st in g.subjects(KG.relationshipType, None):
        rel_type = str(g.value(st, KG.relationshipType))
        spec = m.relationships[rel_type]
        props = {}
        for prop, ptype in spec["properties"].items():
            v = g.value(st, ns(rm["relationship_properties"][prop]))
            props[prop] = None if v is None else (v.toPython() if ptype == "INT64" else str(v))
        key = keys[st]
        graph.add_relationship(rel_type, (spec["from"], keys[g.value(st, RDF.subject)]),
                               (spec["to"], keys[g.value(st, RDF.object)]), props, key=key)
        graph.relationships[(rel_type, key)].provenance = _entries(g, st, keys)
    return graph


def _entries(g: RdfGraph, subject, keys) -> list[dict]:
    out = []
    for ev in g.objects(subject, KG.evidence):
        target = g.value(ev, OA.hasTarget)
        # A notice as a whole has no selector: span [0, 0], nothing quoted.
        entry = {"doc": keys[g.value(target, OA.hasSource)], "rule": str(g.value(ev, KG.rule)), "span": [0, 0],
                 "quote": ""}
        if (excerpt := g.value(ev, KG.excerpt)) is not None:
            entry["quote"] = str(excerpt)
        for sel in g.objects(target, OA.hasSelector):
            if (sel, RDF.type, OA.TextPositionSelector) in g:
                entry["span"] = [int(g.value(sel, OA.start)), int(g.value(sel, OA.end))]
            else:
                entry["quote"] = str(g.value(sel, OA.exact))
        out.append(entry)
    return canonical(out)


def _parameter(value) -> Literal:
    return Literal(value, datatype=XSD.integer) if isinstance(value, int) and not isinstance(value, bool) else Literal(value)


def with_values(query: str, params: dict) -> tuple[str, dict]:
    """(query, the params left over). A parameter the query declares with an inline
    `VALUES ?name { default }` block gets its value there, as an escaped RDF term: the
    form every SPARQL engine reads (Oxigraph and Jena as well as rdflib). Others are
    left for initial bindings."""
    rest = {}
    for name, value in params.items():
        block = re.compile(rf"VALUES\s+\?{re.escape(name)}\s*\{{[^}}]*\}}")
        if block.search(query):
            replacement = f"VALUES ?{name} {{ {_parameter(value).n3()} }}"
            query = block.sub(lambda _m, text=replacement: text, query, count=1)
        else:
            rest[name] = value
    return query, rest


def sparql(g: RdfGraph, query: str, params: dict | None = None, source: str = "the graph") -> tuple[list[str], list[list]]:
    """(columns, rows) of a SELECT query on `g` (read from `source`) and nothing else.
    Values reach the query only as RDF terms: escaped in a VALUES block, or as initial
    bindings."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    query, rest = with_values(query, params or {})
    bindings = {k: _parameter(v) for k, v in rest.items()}
    try:
        parsed = translateQuery(parseQuery(query))
    except Exception as e:  # pyparsing's errors and rdflib's own
        raise KgError(f"SPARQL query failed: {type(e).__name__}: {str(e)[:300]}") from None
    with _quiet():
        _refuse_outside(g, parsed.algebra, source)
    try:
        with _quiet(), _no_loading():
            result = g.query(parsed, initBindings=bindings)
            columns = [str(v) for v in result.vars]
            rows = [[None if v is None else (v.toPython() if isinstance(v, Literal) else str(v)) for v in row]
                    for row in result]  # rdflib evaluates lazily: its errors come while iterating
    except KgError:
        raise
    except Exception as e:  # rdflib's evaluator raises many kinds
        raise KgError(f"SPARQL query failed: {type(e).__name__}: {str(e)[:300]}") from None
    return columns, rows


def _refuse_outside(g, algebra, source: str) -> None:
    """A query answers from `g` alone: SERVICE would send a request over the network,
    FROM / FROM NAMED of a graph `g` does not hold would make rdflib read that file or
    URL. rdflib has no switch for SERVICE, so the parsed query is walked for it."""
    held = {c.identifier for c in g.contexts() if len(c)} if hasattr(g, "contexts") else set()
    for clause in algebra.get("datasetClause") or []:
        iri = clause.default if clause.default is not None else clause.named
        if iri not in held:
            keyword = "FROM" if clause.default is not None else "FROM NAMED"
            raise KgError(f"{source}: SPARQL query refused: {keyword} <{iri}> names a graph not in {source}; "
                          "kg sparql reads no other file or URL")
    service = _find_service(algebra)
    if service is not None:
        raise KgError(f"{source}: SPARQL query refused: SERVICE {service.term.n3()} would query another endpoint "
                      f"over the network; kg sparql answers from {source} only")


def _find_service(node):
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            return node
        children = node.values()
    elif isinstance(node, (list, tuple, ParseResults)):
        children = node
    else:
        return None
    for child in children:
        if (found := _find_service(child)) is not None:
            return found
    return None


@contextlib.contextmanager
def _no_loading():
    """rdflib's own switch: FROM never parses another source (the check above refuses
    such a query first; this holds if that check ever misses one)."""
    import rdflib.plugins.sparql as rdflib_sparql

    before, rdflib_sparql.SPARQL_LOAD_GRAPHS = rdflib_sparql.SPARQL_LOAD_GRAPHS, False
    try:
        yield
    finally:
        rdflib_sparql.SPARQL_LOAD_GRAPHS = before


def validate(g: RdfGraph) -> tuple[bool, str]:
    """(conforms, report text) against the SHACL shapes in schema/shapes.ttl."""
    import pyshacl

    from kg.schema import path as schema_path

    shapes = RdfGraph().parse(data=schema_path("shapes.ttl").read_text(encoding="utf-8"), format="turtle")
    conforms, _, text = pyshacl.validate(union(g), shacl_graph=shapes, advanced=True, allow_warnings=False)
    return bool(conforms), text
