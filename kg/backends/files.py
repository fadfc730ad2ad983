"""Graph files for analysts: GraphML and GEXF (Gephi, networkx) and JSON Lines."""
from __future__ import annotations

import json
from typing import TextIO

from kg.graph import Graph, canonical

FORMATS = ("graphml", "gexf", "jsonl")


def write_jsonl(graph: Graph, out: TextIO) -> None:
    """One line per node, then one per relationship; provenance as a list."""
    for (label, key), node in sorted(graph.nodes.items()):
        out.write(json.dumps({"node": label, "key": key, "properties": node.props, "provenance": canonical(node.provenance)},
                             ensure_ascii=False, sort_keys=True) + "\n")
    for (rel_type, key), rel in sorted(graph.relationships.items()):
        out.write(json.dumps({"relationship": rel_type, "key": key, "from": list(rel.start), "to": list(rel.end),
                              "properties": rel.props, "provenance": canonical(rel.provenance)}, ensure_ascii=False,
                             sort_keys=True) + "\n")


def write(graph: Graph, fmt: str, out: TextIO) -> None:
    if fmt == "jsonl":
        write_jsonl(graph, out)
        return
    import networkx as nx

    g = graph.to_networkx()
    if fmt == "graphml":
        lines = nx.generate_graphml(g)
    else:  # networkx titles kg's key attribute "networkx_key" in GEXF; Gephi shows it as kg_key
        lines = (line.replace('title="networkx_key"', 'title="kg_key"') for line in nx.generate_gexf(g))
    for line in lines:
        out.write(line + "\n")
