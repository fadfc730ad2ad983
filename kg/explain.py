"""Why is this node or edge here? Its provenance, quoted from the source documents."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from kg.errors import InputError
from kg.graph import abbreviate, model
from kg.read import read_source

CONTEXT = 30  # characters shown either side of a quoted span


@dataclass
class Evidence:
    source: str | None
    span: list[int]
    rule: str
    quote: str
    context: str | None  # the quote in its sentence, when the document is still readable


@dataclass
class Fact:
    what: str  # "Regulation 中国共产党纪律处分条例" or "CITES Document:… → Regulation:…"
    evidence: list[Evidence] = field(default_factory=list)


def _node_query(label: str) -> str:
    fields = ["key"] + [p for p in ("title", "name") if p in model().nodes[label]]
    return f"MATCH (n:{label}) WHERE " + " OR ".join(f"n.{f} = $text" for f in fields) + " RETURN n.key, n.provenance"


def _relationship_query(rel_type: str, side: str) -> str:
    """Relationships of `rel_type` whose `side` ("from" or "to") is node n."""
    spec = model().relationships[rel_type]
    a, b = ("n", "o") if side == "from" else ("o", "n")
    return (f"MATCH ({a}:{spec['from']})-[r:{rel_type}]->({b}:{spec['to']}) WHERE n.key = $key "
            "RETURN o.key, r.provenance LIMIT $limit")


SOURCES = "MATCH (d:Document) RETURN d.key, d.source"


def explain_statements() -> list[tuple[str, dict]]:
    """Every statement explain() may run, with sample parameters (for checking them)."""
    m = model()
    out = [(SOURCES, {})] + [(_node_query(label), {"text": "x"}) for label in m.nodes]
    out += [(_relationship_query(t, side), {"key": "x", "limit": 1}) for t in m.relationships for side in ("from", "to")]
    return out


def explain(store, text: str, limit: int = 50) -> list[Fact]:
    """Every node whose key, title or name is `text`, and every relationship touching it."""
    m = model()
    facts: list[Fact] = []
    sources = dict(store.query(SOURCES)[1])
    for label in m.nodes:
        for key, prov in store.query(_node_query(label), {"text": text})[1]:
            facts.append(Fact(f"{label} {key}", _evidence(prov, sources)))
            for rel_type, spec in m.relationships.items():
                for side, other in (("from", "to"), ("to", "from")):
                    if spec[side] != label:
                        continue
                    for other_key, rel_prov in store.query(_relationship_query(rel_type, side),
                                                           {"key": key, "limit": limit})[1]:
                        ends = (f"{label}:{key}", f"{spec[other]}:{other_key}")
                        if side == "to":
                            ends = ends[::-1]
                        facts.append(Fact(f"{rel_type} {ends[0]} → {ends[1]}", _evidence(rel_prov, sources)))
    return facts


_texts: dict[str, str | None] = {}


def text_of(doc: str, source: str | None) -> str | None:
    """The document's text if its file still holds the same bytes."""
    if doc not in _texts:
        try:
            d = read_source(source) if source else None
        except InputError:
            d = None
        _texts[doc] = d.text if d and d.sha256 == doc else None
    return _texts[doc]


def _evidence(prov_json: str | None, sources: dict[str, str]) -> list[Evidence]:
    out = []
    for e in json.loads(prov_json or "[]"):
        source = sources.get(e["doc"])
        text = text_of(e["doc"], source)
        start, end = e["span"]
        context = None
        if text is not None and abbreviate(text[start:end]) == e["quote"]:  # the document is unchanged
            context = text[max(0, start - CONTEXT) : start] + "【" + text[start:end] + "】" + text[end : end + CONTEXT]
            context = context.replace("\n", " ")
        out.append(Evidence(source, e["span"], e["rule"], e["quote"], context))
    return out
