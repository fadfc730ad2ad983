"""Projected, weighted networks of a store, small enough to open in Gephi.

A store holds every citation and quote; a Gephi user wants the network the question is
about. Each network here is read from the relationships the build already counted
(ORGANIZATION_CITES, CO_CITED) or from the few inspection nodes, never from every
citation, so 100 000 notices project in seconds:

- citations: organizations → the regulations they cite; weight: the notices counted
  in ORGANIZATION_CITES, summed over its actions (a notice that studies and enforces a
  regulation counts once for each), with one column per action;
- co-citation: regulations cited together (undirected); weight: CO_CITED's notices;
  the Louvain community `kg trends --communities` numbers, as a node attribute;
- inspections: committees → their teams → the organizations those teams inspected;
  weight: inspections, with the first start and last end date on the edge.

Nodes are ids `Label:key` with a `label` (the name Gephi shows) and a `type`; counts on
nodes are the store's, before --top and --min-weight cut the edges.
"""
from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from kg.errors import KgError

NAMES = ("citations", "co-citation", "inspections")
SUFFIXES = (".graphml", ".gexf", ".csv")
ACTIONS = ("issued", "revised", "enforced", "studied", "cited")  # "cited": no action stated
SHARED = "shared"  # the default kind: the regulations kg trends counts (global scope)

# Which regulations a network holds: by default the shared ones (laws, Party and state
# regulations, normative documents: one node per title, so they can recur); with a kind,
# every regulation of that kind (internal_rule: each organization's own rules, which
# never recur). Films, books and periodicals (not_regulation) are never regulations.
WHERE_REGULATION = ("{r}.kind <> 'not_regulation' AND "
                    "(($kind = '' AND {r}.scope = 'global') OR {r}.kind = $kind)")

CITATIONS = f"""
MATCH (o:Organization)-[c:ORGANIZATION_CITES]->(r:Regulation)
WHERE {WHERE_REGULATION.format(r="r")}
RETURN o.key, r.key,
       sum(CASE WHEN c.action = 'issued' THEN c.documents ELSE 0 END),
       sum(CASE WHEN c.action = 'revised' THEN c.documents ELSE 0 END),
       sum(CASE WHEN c.action = 'enforced' THEN c.documents ELSE 0 END),
       sum(CASE WHEN c.action = 'studied' THEN c.documents ELSE 0 END),
       sum(CASE WHEN c.action IS NULL THEN c.documents ELSE 0 END)
"""
ORGANIZATIONS = """
MATCH (o:Organization)
OPTIONAL MATCH (o)-[:LOCATED_IN]->(g:Region)
RETURN o.key, o.name, o.region, g.province, g.level
"""
# An organization's notices: through the Party group that issued each.
NOTICES = """
MATCH (d:Document)-[:ISSUED_BY]->(:PartyGroup)-[:GROUP_OF]->(o:Organization)
RETURN o.key, count(DISTINCT d)
"""
REGULATIONS = f"""
MATCH (r:Regulation)
WHERE {WHERE_REGULATION.format(r="r")}
RETURN r.key, r.title, r.kind, r.scope
"""
# Organizations are counted as nodes, never names (as recurring-regulations counts them).
CITING = f"""
MATCH (o:Organization)-[:ORGANIZATION_CITES]->(r:Regulation)
WHERE {WHERE_REGULATION.format(r="r")}
RETURN r.key, collect(DISTINCT o.key)
"""
CO_CITED = f"""
MATCH (a:Regulation)-[c:CO_CITED]->(b:Regulation)
WHERE {WHERE_REGULATION.format(r="a")} AND {WHERE_REGULATION.format(r="b")}
RETURN a.key, b.key, c.documents
"""
# A team whose committee the notices do not name still inspected: it stands alone.
INSPECTIONS = """
MATCH (t:InspectionTeam)<-[:CONDUCTED_BY]-(i:Inspection)-[:INSPECTED]->(o:Organization)
OPTIONAL MATCH (t)-[:TEAM_OF]->(c:Committee)
RETURN c.key, c.name, t.key, t.name, t.kind, t.round, o.key, o.name,
       count(i), min(i.start_date), max(i.end_date)
"""


@dataclass
class Network:
    name: str
    directed: bool
    nodes: dict[str, dict] = field(default_factory=dict)  # id → attributes (label, type, …)
    edges: list[tuple[str, str, dict]] = field(default_factory=list)  # (source, target, {weight, …})


def network(store, name: str, top: int | None = None, min_weight: int = 1, kind: str | None = None) -> Network:
    """The network `name` of the store: its edges of weight ≥ min_weight, then the `top`
    heaviest of them (ties by the ids of their ends), and the nodes they join."""
    if name not in NAMES:
        raise KgError(f"no network named {name}; choose {', '.join(NAMES)}")
    if name == "inspections":
        if kind:
            raise KgError("--kind chooses regulations; the inspections network has none")
        return _inspections(store, top, min_weight)
    params = {"kind": "" if kind in (None, SHARED) else kind}
    return (_citations if name == "citations" else _co_citation)(store, params, top, min_weight)


def cut(edges: list[tuple[str, str, dict]], top: int | None, min_weight: int) -> list[tuple[str, str, dict]]:
    """The edges of weight ≥ min_weight, heaviest first, at most `top` of them."""
    kept = sorted((e for e in edges if e[2]["weight"] >= min_weight), key=lambda e: (-e[2]["weight"], e[0], e[1]))
    return kept[:top] if top is not None else kept


def _joined(nodes: dict[str, dict], edges: list[tuple[str, str, dict]]) -> dict[str, dict]:
    """The nodes some edge joins, in a stable order."""
    ends = {n for s, t, _ in edges for n in (s, t)}
    return {n: nodes[n] for n in sorted(ends)}


def _id(label: str, key: str) -> str:
    return f"{label}:{key}"


def _clean(attrs: dict) -> dict:
    """GraphML and GEXF have no null: a value the store lacks is left out."""
    return {k: v for k, v in attrs.items() if v is not None and v != ""}


def _citations(store, params: dict, top: int | None, min_weight: int) -> Network:
    net = Network("citations", directed=True)
    edges = []
    for org, reg, *by_action in store.query(CITATIONS, params)[1]:
        attrs = dict(zip(ACTIONS, by_action))
        edges.append((_id("Organization", org), _id("Regulation", reg), {"weight": sum(by_action), **attrs}))
    regulations = Counter(s for s, _, _ in edges)  # of the kind asked, in the whole store
    notices = dict(store.query(NOTICES)[1])
    nodes = {}
    for key, name, region, province, level in store.query(ORGANIZATIONS)[1]:
        nodes[_id("Organization", key)] = _clean({
            "label": name, "type": "organization", "region": region, "province": province, "level": level,
            "notices": notices.get(key, 0), "regulations": regulations[_id("Organization", key)]})
    nodes.update(_regulation_nodes(store, params)[0])
    net.edges = cut(edges, top, min_weight)
    net.nodes = _joined(nodes, net.edges)
    return net


def _regulation_nodes(store, params: dict) -> tuple[dict[str, dict], dict[str, set]]:
    """Regulations with the organizations citing each (nodes, not names: the recurrence
    count); and those organizations, by regulation key."""
    citing = {key: set(orgs) for key, orgs in store.query(CITING, params)[1]}
    nodes = {_id("Regulation", key): _clean({"label": title, "type": "regulation", "kind": kind, "scope": scope,
                                             "organizations": len(citing.get(key, ()))})
             for key, title, kind, scope in store.query(REGULATIONS, params)[1]}
    return nodes, citing


def _co_citation(store, params: dict, top: int | None, min_weight: int) -> Network:
    net = Network("co-citation", directed=False)
    edges = [(_id("Regulation", a), _id("Regulation", b), {"weight": documents})
             for a, b, documents in store.query(CO_CITED, params)[1]]
    nodes, citing = _regulation_nodes(store, params)
    _add_communities(nodes, edges, {_id("Regulation", k): v for k, v in citing.items()})
    net.edges = cut(edges, top, min_weight)
    net.nodes = _joined(nodes, net.edges)
    return net


def _add_communities(nodes: dict[str, dict], edges: list, citing: dict[str, set]) -> None:
    """Each regulation's Louvain community on the whole co-citation network (before any
    cut), found as `kg trends --communities` finds its own (kg.trends.louvain: seeded,
    weighted by notices, a community fewer than two organizations cite left out) and
    numbered as it numbers them (1: cited by the most organizations). kg trends groups
    every pair cited together, once included, from each notice's citations; here only
    the pairs CO_CITED holds (at least two notices), so 100 000 notices group in seconds."""
    import networkx as nx

    from kg.trends import louvain

    g = nx.Graph()
    g.add_weighted_edges_from((a, b, w["weight"]) for a, b, w in edges)
    for number, community in enumerate(louvain(g, citing), 1):
        for member in community["members"]:
            nodes[member]["community"] = number


def _inspections(store, top: int | None, min_weight: int) -> Network:
    """Committee → team (weight: the team's inspections) → organization (weight: the
    team's inspections of it). --top and --min-weight cut the team → organization edges;
    each kept team keeps the edge from its committee."""
    net = Network("inspections", directed=True)
    nodes: dict[str, dict] = {}
    inspected, sent = [], defaultdict(int)
    team_of: dict[str, str] = {}
    for c_key, c_name, t_key, t_name, t_kind, t_round, o_key, o_name, n, start, end in store.query(INSPECTIONS)[1]:
        team, org = _id("InspectionTeam", t_key), _id("Organization", o_key)
        nodes[team] = _clean({"label": t_name, "type": "team", "kind": t_kind, "round": t_round})
        nodes[org] = {"label": o_name, "type": "organization"}
        if c_key is not None:
            committee = _id("Committee", c_key)
            nodes[committee] = {"label": c_name, "type": "committee"}
            team_of[team] = committee
        sent[team] += n
        inspected.append((team, org, _clean({"weight": n, "relation": "inspected", "start_date": start,
                                             "end_date": end})))
    for key, _name, region, province, level in store.query(ORGANIZATIONS)[1]:
        if (org := _id("Organization", key)) in nodes:
            nodes[org].update(_clean({"region": region, "province": province, "level": level}))
    for team, n in sent.items():
        nodes[team]["inspections"] = n
    net.edges = cut(inspected, top, min_weight)
    teams = sorted({s for s, _, _ in net.edges if s in team_of})
    net.edges = [(team_of[t], t, {"weight": sent[t], "relation": "sent"}) for t in teams] + net.edges
    net.nodes = _joined(nodes, net.edges)
    return net


# -- writing ------------------------------------------------------------------

def format_of(out: str | None, fmt: str | None = None) -> str:
    """graphml, gexf or csv, as --out's extension names it; on stdout --format's (graphml
    or gexf: a CSV network is two files), else graphml."""
    if out in (None, "-"):
        if fmt not in (None, "graphml", "gexf"):
            raise KgError(f"kg export --network writes graphml or gexf on stdout, not {fmt}; give --out FILE.csv for CSV")
        return fmt or "graphml"
    from kg.cli.common import checked_suffix

    named = checked_suffix(out, SUFFIXES, "kg export --network").lstrip(".")
    if fmt is not None and fmt != named:
        raise KgError(f"{out}: --format {fmt} does not match the extension .{named}; change one of them")
    return named


def nodes_path(out: str | Path) -> Path:
    """The nodes CSV beside the edges CSV: citations.csv → citations.nodes.csv."""
    out = Path(out)
    return out.with_name(out.stem + ".nodes.csv")


def to_networkx(net: Network):
    import networkx as nx

    g = nx.DiGraph(name=net.name) if net.directed else nx.Graph(name=net.name)
    g.add_nodes_from(net.nodes.items())
    g.add_edges_from(net.edges)
    return g


# Written line by line rather than with networkx's writers, which build the whole tree
# first: a citations network of 100 000 notices has hundreds of thousands of edges.
GRAPHML_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}
GEXF_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


def _x(value) -> str:
    """An XML attribute or text value: escaped, and what XML cannot carry replaced."""
    from kg.backends.files import xml_safe

    text = str(value).lower() if isinstance(value, bool) else str(value)
    return xml_safe(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _attributes(rows, skip: tuple[str, ...]) -> dict[str, type]:
    """Each attribute name any row has → its Python type (the first value's)."""
    seen: dict[str, type] = {}
    for attrs in rows:
        for k, v in attrs.items():
            if k not in skip and k not in seen:
                seen[k] = type(v)
    return seen


def write_xml(net: Network, fmt: str, out: TextIO) -> None:
    (_write_graphml if fmt == "graphml" else _write_gexf)(net, out)


def _write_graphml(net: Network, out: TextIO) -> None:
    node_keys = _attributes(net.nodes.values(), ())
    edge_keys = _attributes((a for _, _, a in net.edges), ())
    ids = {("node", k): f"n{i}" for i, k in enumerate(node_keys)}
    ids.update({("edge", k): f"e{i}" for i, k in enumerate(edge_keys)})
    out.write("<?xml version='1.0' encoding='utf-8'?>\n"
              '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
              'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
              'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
    for (what, name), key in ids.items():
        kind = (node_keys if what == "node" else edge_keys)[name]
        out.write(f'  <key id="{key}" for="{what}" attr.name="{_x(name)}" attr.type="{GRAPHML_TYPES[kind]}" />\n')
    out.write(f'  <graph id="{_x(net.name)}" edgedefault="{"directed" if net.directed else "undirected"}">\n')
    for n, attrs in net.nodes.items():
        data = "".join(f'<data key="{ids["node", k]}">{_x(v)}</data>' for k, v in attrs.items())
        out.write(f'    <node id="{_x(n)}">{data}</node>\n')
    for s, t, attrs in net.edges:
        data = "".join(f'<data key="{ids["edge", k]}">{_x(v)}</data>' for k, v in attrs.items())
        out.write(f'    <edge source="{_x(s)}" target="{_x(t)}">{data}</edge>\n')
    out.write("  </graph>\n</graphml>\n")


def _write_gexf(net: Network, out: TextIO) -> None:
    """GEXF 1.2: label and weight as GEXF's own, the rest as attributes."""
    node_keys = _attributes(net.nodes.values(), ("label",))
    edge_keys = _attributes((a for _, _, a in net.edges), ("weight",))
    out.write("<?xml version='1.0' encoding='utf-8'?>\n"
              '<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n'
              f'  <graph defaultedgetype="{"directed" if net.directed else "undirected"}" mode="static" '
              f'name="{_x(net.name)}">\n')
    for what, keys in (("node", node_keys), ("edge", edge_keys)):
        if not keys:
            continue
        out.write(f'    <attributes class="{what}" mode="static">\n')
        for i, (name, kind) in enumerate(keys.items()):
            out.write(f'      <attribute id="{i}" title="{_x(name)}" type="{GEXF_TYPES[kind]}" />\n')
        out.write("    </attributes>\n")
    node_ids = {k: i for i, k in enumerate(node_keys)}
    edge_ids = {k: i for i, k in enumerate(edge_keys)}
    out.write("    <nodes>\n")
    for n, attrs in net.nodes.items():
        values = "".join(f'<attvalue for="{node_ids[k]}" value="{_x(v)}" />' for k, v in attrs.items() if k != "label")
        out.write(f'      <node id="{_x(n)}" label="{_x(attrs["label"])}">{_attvalues(values)}</node>\n')
    out.write("    </nodes>\n    <edges>\n")
    for i, (s, t, attrs) in enumerate(net.edges):
        values = "".join(f'<attvalue for="{edge_ids[k]}" value="{_x(v)}" />' for k, v in attrs.items() if k != "weight")
        out.write(f'      <edge id="{i}" source="{_x(s)}" target="{_x(t)}" weight="{_x(attrs["weight"])}">'
                  f'{_attvalues(values)}</edge>\n')
    out.write("    </edges>\n  </graph>\n</gexf>\n")


def _attvalues(values: str) -> str:
    return f"<attvalues>{values}</attvalues>" if values else ""  # GEXF's schema wants one attvalue or none


def write_csv(net: Network, edges_out: TextIO, nodes_out: TextIO) -> None:
    """Gephi's spreadsheet import: edges (Source, Target, Type, Weight, …) and nodes
    (Id, Label, …), one column per attribute any of them has."""
    kind = "Directed" if net.directed else "Undirected"
    edge_columns = _columns(a for _, _, a in net.edges)
    w = csv.writer(edges_out, lineterminator="\n")
    w.writerow(["Source", "Target", "Type", "Weight", *edge_columns])
    for s, t, a in net.edges:
        w.writerow([s, t, kind, a["weight"], *(a.get(c, "") for c in edge_columns)])
    node_columns = _columns(a for a in net.nodes.values())
    w = csv.writer(nodes_out, lineterminator="\n")
    w.writerow(["Id", "Label", *node_columns])
    for n, a in net.nodes.items():
        w.writerow([n, a["label"], *(a.get(c, "") for c in node_columns)])


def _columns(rows) -> list[str]:
    seen: dict[str, None] = {}
    for attrs in rows:
        seen.update(dict.fromkeys(k for k in attrs if k not in ("weight", "label")))
    return list(seen)


def write(net: Network, out: str | None, fmt: str | None = None) -> list[str]:
    """Write `net` to out (in the format format_of names); the files written."""
    from kg.fileio import atomic_text

    fmt = format_of(out, fmt)
    if fmt != "csv":
        with atomic_text(out) as sink:
            write_xml(net, fmt, sink)
        return [out] if out not in (None, "-") else []
    nodes_file = str(nodes_path(out))
    with atomic_text(out) as edges_sink, atomic_text(nodes_file) as nodes_sink:
        write_csv(net, edges_sink, nodes_sink)
    return [out, nodes_file]
