"""Graph files for analysts: GraphML and GEXF (Gephi, networkx) and JSON Lines.

Each is written as its rows are read (a node or relationship at a time, from a store
or a Graph), so an export of any size takes the memory of one row. Nodes come label by
label (labels sorted), then relationships type by type, each in key order.
"""
from __future__ import annotations

import json
import re
import time
from functools import lru_cache
from typing import TextIO

from kg.graph import canonical, model

# What XML 1.0 cannot carry even as a character reference: C0 controls but tab, newline and
# carriage return (a form feed pasted from Word or a PDF), lone surrogates, U+FFFE and U+FFFF.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """XML text with each character XML cannot hold replaced by U+FFFD: visibly not the
    notice's own character (a space would pass for one), and one for one, so quotes keep
    the length of their spans. Markup never holds these characters, so the whole document
    can go through here: ids, keys and every value at once."""
    return NOT_XML.sub("\ufffd", text)


def write_jsonl(rows, out: TextIO) -> None:
    """One line per node, then one per relationship; provenance as a list."""
    m = model()
    for label in sorted(m.nodes):
        for row in rows.rows(label):
            key, prov = row.pop("key"), row.pop("provenance")
            out.write(json.dumps({"node": label, "key": key, "properties": row, "provenance": _evidence(prov)},
                                 ensure_ascii=False, sort_keys=True) + "\n")
    for rel_type in sorted(m.relationships):
        spec = m.relationships[rel_type]
        for row in rows.relationship_rows(rel_type):
            start, end, key, prov = row.pop("from"), row.pop("to"), row.pop("key"), row.pop("provenance")
            out.write(json.dumps({"relationship": rel_type, "key": key, "from": [spec["from"], start],
                                  "to": [spec["to"], end], "properties": row, "provenance": _evidence(prov)},
                                 ensure_ascii=False, sort_keys=True) + "\n")


def _evidence(provenance: str | None) -> list[dict]:
    return canonical(json.loads(provenance or "[]"))


# -- GraphML and GEXF ------------------------------------------------------------------
# Both declare their attributes before the first node: they are those of the graph model
# (schema/graph.json), not of a scan of the graph. A node carries its properties, then
# node_type (its label), label (a readable name: what Gephi shows), key and provenance; a
# relationship its properties, rel_type and provenance, its key being the GraphML edge id
# (GEXF: the attribute kg_key). None values are left out.

XML_TYPES = {"STRING": "string", "INT64": "long", "DOUBLE": "double", "BOOLEAN": "boolean"}


@lru_cache(maxsize=1)
def attributes() -> dict[str, dict[str, str]]:
    """{"node": name → XML type, "edge": name → XML type}, in the order written."""
    m = model()
    nodes, edges = {}, {}
    for props, into in [*((m.nodes[label], nodes) for label in m.nodes),
                        *((m.relationships[t]["properties"], edges) for t in m.relationships)]:
        for name, kind in props.items():
            if into.setdefault(name, XML_TYPES[kind]) != XML_TYPES[kind]:  # one name, one type: GraphML has no other way
                raise ValueError(f"graph model: property {name} has two types")
    return {"node": {**nodes, "node_type": "string", "label": "string", "key": "string", "provenance": "string"},
            "edge": {**edges, "rel_type": "string", "provenance": "string"}}


def _node_data(label: str, row: dict) -> tuple[str, dict]:
    """(node id, its attributes) of a node row."""
    key = row["key"]
    data = {p: row[p] for p in model().nodes[label] if row.get(p) is not None}
    display = data.get("title") or data.get("name") or data.get("text") or key
    data.update(node_type=label, label=display, key=key, provenance=row["provenance"])
    return f"{label}:{key}", data


def _edge_data(rel_type: str, row: dict) -> dict:
    data = {p: row[p] for p in model().relationships[rel_type]["properties"] if row.get(p) is not None}
    data.update(rel_type=rel_type, provenance=row["provenance"])
    return data


def _text(value) -> str:
    if not isinstance(value, str):
        return str(value).lower() if isinstance(value, bool) else str(value)
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if "\r" in value:  # a parser would read a raw CR as a newline
        value = value.replace("\r", "&#13;")
    return value


def _attr(value) -> str:
    """An attribute value in double quotes; whitespace escaped, so that a parser keeps it."""
    value = _text(value)
    if '"' in value:
        value = value.replace('"', "&quot;")
    if "\n" in value:
        value = value.replace("\n", "&#10;")
    if "\t" in value:
        value = value.replace("\t", "&#09;")
    return f'"{value}"'


def _edges(rows):
    m = model()
    for rel_type in sorted(m.relationships):
        spec = m.relationships[rel_type]
        for row in rows.relationship_rows(rel_type):
            yield f"{spec['from']}:{row['from']}", f"{spec['to']}:{row['to']}", row["key"], _edge_data(rel_type, row)


def _nodes(rows):
    m = model()
    for label in sorted(m.nodes):
        for row in rows.rows(label):
            yield _node_data(label, row)


GRAPHML_HEAD = ('<?xml version=\'1.0\' encoding=\'utf-8\'?>\n'
                '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
                'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')


def write_graphml(rows, out: TextIO) -> None:
    """GraphML in UTF-8, as networkx writes a MultiDiGraph (read_graphml reads it back)."""
    ids, n = {}, 0
    out.write(GRAPHML_HEAD)
    for kind, attrs in attributes().items():
        for name, xml_type in attrs.items():
            ids[kind, name] = f"d{n}"
            out.write(f'  <key id="d{n}" for="{kind}" attr.name="{name}" attr.type="{xml_type}" />\n')
            n += 1
    out.write('  <graph edgedefault="directed">\n')

    def data(kind: str, values: dict) -> str:
        return "".join(f'      <data key="{ids[kind, k]}">{_text(v)}</data>\n' for k, v in values.items())

    for node_id, values in _nodes(rows):
        out.write(xml_safe(f"    <node id={_attr(node_id)}>\n{data('node', values)}    </node>\n"))
    for source, target, key, values in _edges(rows):
        out.write(xml_safe(f"    <edge source={_attr(source)} target={_attr(target)} id={_attr(key)}>\n"
                           f"{data('edge', values)}    </edge>\n"))
    out.write("  </graph>\n</graphml>\n")


def write_gexf(rows, out: TextIO) -> None:
    """GEXF 1.2 in UTF-8, as networkx writes a MultiDiGraph; the node label is its readable
    name, and kg's key is the attribute kg_key (Gephi shows it so)."""
    titles = {"key": "kg_key"}
    ids, n = {}, 0
    out.write('<?xml version=\'1.0\' encoding=\'utf-8\'?>\n'
              '<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
              'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">\n'
              f'  <meta lastmodifieddate="{time.strftime("%Y-%m-%d")}">\n    <creator>kg</creator>\n  </meta>\n'
              '  <graph defaultedgetype="directed" mode="static" name="">\n')
    declared = {"node": {k: v for k, v in attributes()["node"].items() if k != "label"},  # label: an XML attribute
                "edge": {**attributes()["edge"], "key": "string"}}
    for kind in ("edge", "node"):
        out.write(f'    <attributes mode="static" class="{kind}">\n')
        for name, xml_type in declared[kind].items():
            ids[kind, name] = str(n)
            out.write(f'      <attribute id="{n}" title="{titles.get(name, name)}" type="{xml_type}" />\n')
            n += 1
        out.write("    </attributes>\n")

    def attvalues(kind: str, values: dict) -> str:
        return ("        <attvalues>\n"
                + "".join(f'          <attvalue for="{ids[kind, k]}" value={_attr(v)} />\n' for k, v in values.items())
                + "        </attvalues>\n")

    out.write("    <nodes>\n")
    for node_id, values in _nodes(rows):
        display = values.pop("label")
        out.write(xml_safe(f"      <node id={_attr(node_id)} label={_attr(display)}>\n"
                           f"{attvalues('node', values)}      </node>\n"))
    out.write("    </nodes>\n    <edges>\n")
    for i, (source, target, key, values) in enumerate(_edges(rows)):
        values["key"] = key
        out.write(xml_safe(f"      <edge source={_attr(source)} target={_attr(target)} id=\"{i}\">\n"
                           f"{attvalues('edge', values)}      </edge>\n"))
    out.write("    </edges>\n  </graph>\n</gexf>\n")
