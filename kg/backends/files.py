"""Graph files for analysts: GraphML and GEXF (Gephi, networkx) and JSON Lines."""
from __future__ import annotations

import json
import re
from typing import TextIO

from kg.graph import Graph, canonical

FORMATS = ("graphml", "gexf", "jsonl")
# What XML 1.0 cannot carry even as a character reference: C0 controls but tab, newline and
# carriage return (a form feed pasted from Word or a PDF), lone surrogates, U+FFFE and U+FFFF.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """XML text with each character XML cannot hold replaced by U+FFFD: visibly not the
    notice's own character (a space would pass for one), and one for one, so quotes keep
    the length of their spans. Markup never holds these characters, so the whole document
    can go through here: ids, keys and every value at once."""
    return NOT_XML.sub("\ufffd", text)


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
    from networkx.readwrite.gexf import GEXFWriter
    from networkx.readwrite.graphml import GraphMLWriter

    g = graph.to_networkx()
    # The writers' text whole, as xml_safe must see it: nx.generate_graphml/gexf split it
    # with str.splitlines, which also splits at form feeds and vertical tabs in values.
    if fmt == "graphml":
        writer = GraphMLWriter(encoding="utf-8", prettyprint=True)
        writer.add_graph_element(g)
        text = str(writer)
    else:  # networkx titles kg's key attribute "networkx_key" in GEXF; Gephi shows it as kg_key
        writer = GEXFWriter(encoding="utf-8", prettyprint=True)
        writer.add_graph(g)
        text = str(writer).replace('title="networkx_key"', 'title="kg_key"')
    out.write(xml_safe(text.rstrip("\n")) + "\n")
