"""The graph model (read from schema/graph.json) and the in-memory graph every writer takes.

A Graph holds nodes and relationships keyed by identity. Adding the same node or
relationship again merges its provenance instead of duplicating it, which is what makes
loads idempotent and lets a user ask where each fact came from.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from kg.errors import KgError
from kg.schema import load_json


@dataclass(frozen=True)
class GraphModel:
    nodes: dict[str, dict[str, str]]  # label → property → type
    relationships: dict[str, dict]  # type → {from, to, properties}
    version: int
    dates: frozenset[str] = frozenset()  # properties holding ISO dates as strings
    lists: frozenset[str] = frozenset()  # properties holding JSON lists of strings

    def node_properties(self, label: str) -> dict[str, str]:
        """All properties of a label, key and provenance first."""
        return {"key": "STRING", **self.nodes[label], "provenance": "STRING"}

    def relationship_properties(self, rel_type: str) -> dict[str, str]:
        return {"key": "STRING", **self.relationships[rel_type]["properties"], "provenance": "STRING"}

    def columns(self, table: str) -> list[str]:
        """The fields of a table's rows (Node.row / Relationship.row), in store order."""
        if table in self.nodes:
            return list(self.node_properties(table))
        return ["from", "to", *self.relationship_properties(table)]


@lru_cache(maxsize=1)
def model() -> GraphModel:
    raw = load_json("graph.json")
    return GraphModel(
        nodes={label: spec["properties"] for label, spec in raw["nodes"].items()},
        relationships=raw["relationships"],
        version=raw["version"],
        dates=frozenset(raw["dates"]),
        lists=frozenset(raw["lists"]),
    )


QUOTE_LIMIT = 60  # characters a provenance quote holds in full (every title seen so far)


def provenance(doc: str, start: int, end: int, rule: str, quote: str) -> dict:
    """One piece of evidence: which document, which characters, which rule, and the
    quoted text (abbreviated, see `abbreviate`)."""
    return {"doc": doc, "span": [start, end], "rule": rule, "quote": abbreviate(quote)}


def abbreviate(text: str) -> str:
    """A span's text as provenance quotes it: whole up to QUOTE_LIMIT characters, else its
    first 45 and last 14 around "…". The span is exact and the document holds the whole
    text (kg explain prints it); quoting every problem and measure in full, on the node and
    again on its relationships, made half the bytes of a large store."""
    return text if len(text) <= QUOTE_LIMIT else text[:45] + "…" + text[-14:]


def quote_is_whole(entry: dict) -> bool:
    start, end = entry["span"]
    return len(entry["quote"]) == end - start


@dataclass(slots=True)  # slots: a large build holds hundreds of thousands
class Node:
    label: str
    key: str
    props: dict
    provenance: list[dict] = field(default_factory=list)
    stated_by: str | None = None  # the document with the smallest hash among those stating it
    seen: set | None = field(default=None, repr=False, compare=False)  # evidence already held
    fills: dict | None = field(default=None, repr=False, compare=False)  # property → its other stating document

    def row(self) -> dict:
        return {"key": self.key, **self.props, "provenance": _dump(self.provenance)}


@dataclass(slots=True)
class Relationship:
    type: str
    key: str
    start: tuple[str, str]  # (label, key)
    end: tuple[str, str]
    props: dict
    provenance: list[dict] = field(default_factory=list)
    seen: set | None = field(default=None, repr=False, compare=False)

    def row(self) -> dict:
        return {"from": self.start[1], "to": self.end[1], "key": self.key, **self.props,
                "provenance": _dump(self.provenance)}


def evidence_item(entry: dict) -> str:
    """One provenance entry as JSON text: keys sorted, so it starts with {"doc": "<sha256>".

    Spelled out with json's own string encoder rather than json.dumps(sort_keys=True)
    (same text, a tenth of the time: a large build writes millions)."""
    start, end = entry["span"]
    return (f'{{"doc": "{entry["doc"]}", "quote": {_json_string(entry["quote"])}, '
            f'"rule": {_json_string(entry["rule"])}, "span": [{int(start)}, {int(end)}]}}')


_json_string = json.encoder.encode_basestring  # json.dumps(s, ensure_ascii=False) for a str


def _dump(evidence: list[dict]) -> str:
    """The provenance property: a JSON list, entries sorted (by document, then span)."""
    return "[" + ", ".join(sorted(evidence_item(e) for e in evidence)) + "]"


# A Document's evidence: its title's entry (title.*, or document.read: the notice as a
# whole) and one entry per total it states (kg.resolve.stated_totals), told apart by rule.
STATED_TOTALS_RULE = "stated_totals."  # + the total's name: the rules of kg.extract.problems.stated_totals


def is_stated_total(entry: dict) -> bool:
    return entry["rule"].startswith(STATED_TOTALS_RULE)


# Facts that belong to one notice (their keys hold its hash) and are never merged across
# notices. A large build (kg.bulk) writes them straight to disk.
LOCAL_NODES = {"Document", "Problem", "Measure", "Copy"}
LOCAL_RELATIONSHIPS = {"ISSUED_BY", "REPORTED_IN", "CITES", "RAISED_IN", "ANSWERS", "COPY_OF"}


class Graph:
    """Nodes and relationships of the model, merged by key."""

    def __init__(self) -> None:
        self.model = model()
        self.nodes: dict[tuple[str, str], Node] = {}
        self.relationships: dict[tuple[str, str], Relationship] = {}
        self.documents: set[str] = set()  # keys of the notices added

    def add_node(self, label: str, key: str, props: dict, evidence: dict | None = None) -> tuple[str, str]:
        allowed = self.model.nodes.get(label)
        if allowed is None:
            raise KgError(f"graph model has no node label {label!r}")
        unknown = set(props) - set(allowed)
        if unknown:
            raise KgError(f"{label} has no properties {sorted(unknown)} in the graph model")
        self.put_node(label, key, {p: props.get(p) for p in allowed}, evidence["doc"] if evidence else None,
                      [evidence] if evidence else [])
        return label, key

    def put_node(self, label: str, key: str, props: dict, doc: str | None, evidence: list[dict]) -> Node:
        """Merge a checked node: `props` (every property of the label) as stated by `doc`."""
        node = self.nodes.get((label, key))
        if node is None:
            node = self.nodes[(label, key)] = Node(label, key, dict(props), stated_by=doc)
        else:
            _merge_properties(node, props, doc)
        for e in evidence:
            _add_evidence(node, e)
        return node

    def add_relationship(self, rel_type: str, start: tuple[str, str], end: tuple[str, str],
                         props: dict | None = None, evidence: dict | None = None, key: str | None = None) -> None:
        spec = self.model.relationships.get(rel_type)
        if spec is None:
            raise KgError(f"graph model has no relationship type {rel_type!r}")
        if (start[0], end[0]) != (spec["from"], spec["to"]):
            raise KgError(f"{rel_type} goes from {spec['from']} to {spec['to']}, not {start[0]} to {end[0]}")
        self.put_relationship(rel_type, key or f"{start[1]}|{end[1]}", start, end,
                              {p: (props or {}).get(p) for p in spec["properties"]}, [evidence] if evidence else [])

    def put_relationship(self, rel_type: str, key: str, start: tuple[str, str], end: tuple[str, str],
                         props: dict, evidence: list[dict]) -> Relationship:
        """Merge a checked relationship; the first statement of its properties stands."""
        rel = self.relationships.get((rel_type, key))
        if rel is None:
            rel = self.relationships[(rel_type, key)] = Relationship(rel_type, key, start, end, dict(props))
        for e in evidence:
            _add_evidence(rel, e)
        return rel

    def merge(self, part: Graph) -> None:
        """Add the graph of other notices (see resolve.fragment), merging what they share."""
        self.documents |= part.documents
        for node in part.nodes.values():
            self.put_node(node.label, node.key, node.props, node.stated_by, node.provenance)
        for rel in part.relationships.values():
            self.put_relationship(rel.type, rel.key, rel.start, rel.end, rel.props, rel.provenance)

    def counts(self) -> tuple[Counter, Counter]:
        """(nodes per label, relationships per type), every label and type listed."""
        nodes = Counter({label: 0 for label in self.model.nodes})
        nodes.update(label for label, _ in self.nodes)
        rels = Counter({t: 0 for t in self.model.relationships})
        rels.update(t for t, _ in self.relationships)
        return nodes, rels

    def rows(self, label: str) -> Iterator[dict]:
        nodes = [(key, n) for (lab, key), n in self.nodes.items() if lab == label]
        return iter([n.row() for _, n in sorted(nodes, key=lambda kn: kn[0])])

    def relationship_rows(self, rel_type: str) -> Iterator[dict]:
        rels = [(key, r) for (t, key), r in self.relationships.items() if t == rel_type]
        return iter([r.row() for _, r in sorted(rels, key=lambda kr: kr[0])])

    def to_networkx(self):
        """A networkx MultiDiGraph. Node ids are "Label:key"; `node_type` holds the label
        and `label` a readable name (what Gephi shows); edges carry `rel_type`."""
        import networkx as nx

        g = nx.MultiDiGraph()
        for (label, key), node in sorted(self.nodes.items()):
            props = _plain(node.props)
            display = props.get("title") or props.get("name") or props.get("text") or key
            g.add_node(f"{label}:{key}", **props, node_type=label, label=display, key=key,
                       provenance=_dump(node.provenance))
        for (rel_type, key), rel in sorted(self.relationships.items()):
            g.add_edge(f"{rel.start[0]}:{rel.start[1]}", f"{rel.end[0]}:{rel.end[1]}", key=key,
                       **_plain(rel.props), rel_type=rel_type, provenance=_dump(rel.provenance))
        return g


def _rank(doc: str | None) -> tuple[bool, str]:
    return doc is None, doc or ""  # statements made without a notice (curation) come last


def _merge_properties(node: Node, props: dict, doc: str | None) -> None:
    """Each property takes its value from the notice with the smallest hash that states one,
    so the graph is the same whatever order notices are read in (and an incremental build
    can recompute a node from its statements alone). A property's stating notice is
    node.stated_by unless node.fills names another."""
    fills = node.fills or {}
    staters = {p: fills.get(p, node.stated_by) for p, v in node.props.items() if v is not None}
    for p, v in props.items():
        if v is not None and (p not in staters or _rank(doc) < _rank(staters[p])):
            node.props[p] = v
            staters[p] = doc
    if _rank(doc) < _rank(node.stated_by):
        node.stated_by = doc
    node.fills = {p: d for p, d in staters.items() if d != node.stated_by} or None


def _add_evidence(item, evidence: dict | None) -> None:
    """Add evidence once (a set, not a scan: a regulation may be cited by 100 000 notices)."""
    if evidence:
        marker = (evidence["doc"], *evidence["span"], evidence["rule"])
        if item.seen is None:
            item.seen = set()
        if marker not in item.seen:
            item.seen.add(marker)
            item.provenance.append(evidence)


def canonical(evidence: list[dict]) -> list[dict]:
    """Provenance in the order every backend stores it."""
    return sorted(evidence, key=evidence_item)


# Evidence a node or relationship keeps: the first by document hash. A regulation cited by
# 50 000 notices would otherwise carry a 10 MB property; each mention stays on the
# relationship of its notice (CITES, ISSUED_BY, …), with its own provenance.
EVIDENCE_LIMIT = 100


def keep_evidence(graph: Graph) -> None:
    """Cut shared items' evidence; a notice's own items (a Document with its title and
    stated totals) keep all of theirs, as a large build writes them (kg.bulk)."""
    for (kind, _), item in [*graph.nodes.items(), *graph.relationships.items()]:
        if kind not in LOCAL_NODES and kind not in LOCAL_RELATIONSHIPS and len(item.provenance) > EVIDENCE_LIMIT:
            item.provenance = canonical(item.provenance)[:EVIDENCE_LIMIT]


def kept_evidence(items: set[str]) -> list[str]:
    """keep_evidence for evidence_item texts (their sort order is canonical's)."""
    return sorted(items)[:EVIDENCE_LIMIT]


def _plain(row: dict) -> dict:
    """Attributes GraphML and GEXF can hold: no None values."""
    return {k: v for k, v in row.items() if v is not None}
