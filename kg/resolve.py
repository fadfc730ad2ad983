"""Extraction records of many documents → one Graph with stable keys.

Identity rules, each a named step:
- documents: the SHA-256 of their bytes (the same file twice is one document);
- organizations: their full simplified name, after the extractor expanded short forms
  (市妇联 in a Xiangtan notice is 湘潭市妇女联合会; Tianjin's 市妇联 is 天津市妇女联合会);
- regions: their path in the gazetteer (湖南省/张家界市/桑植县);
- teams: committee, kind, number and round where the notice gives one;
- a name not resolved to a full identity — a relative organization name whose division
  is not placed (市妇联, 区卫生健康局), a committee named by level only (市委), a team
  without number or field (巡察组), a generic short title nothing defines (《条例》) — is
  keyed to its document (scope "document"): never shared across the corpus;
- regulations: the simplified title, so traditional and simplified notices meet; a short
  form counts as the title it stands for; an internal rule (《财务管理制度》) is scoped to
  its organization, so two organizations' rules of one name stay two;
- problems and measures: their document and position.
Where notices disagree on a property, the notice with the smallest hash states it, so
the graph does not depend on the order notices are read in.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kg import gazetteer
from kg.cocitation import CoCitations, add_co_citations, cited_by_notice
from kg.data import load
from kg.graph import STATED_TOTALS_RULE, Graph, keep_evidence, provenance
from kg.themes import terms_of

EPOCH = dt.date(1970, 1, 1)
# 市妇联, 区卫生健康局, 中共城中区委员会: names that need a placed division to mean one thing.
RELATIVE_NAME = re.compile(r"(?:中共|我|本)|(?:省|市|县|区|州|旗|盟|镇|乡)(?!委员会$)")
BARE_COMMITTEE = re.compile(r"(?:自治区|自治州|自治县|省|市|县|区|州|旗|盟)(?:党)?委")
COUNTED = "derived.organization_cites"  # the rule of ORGANIZATION_CITES's evidence
GLOBAL_KINDS = {"law", "party_regulation", "regulation", "normative_document", "not_regulation"}


def day_number(iso: str | None) -> int | None:
    """Days since 1970-01-01, so that lags are subtraction in every backend. A date stated
    to the month (2022-05) has none: a lag in days would claim a precision it lacks."""
    return (dt.date.fromisoformat(iso) - EPOCH).days if iso and len(iso) == 10 else None


def division_path(div: gazetteer.Division) -> list[gazetteer.Division]:
    """Province first: [湖南省, 张家界市, 桑植县]."""
    chain = [div]
    while (parent := chain[-1].parent()) is not None:
        chain.append(parent)
    return list(reversed(chain))


def region_key(div: gazetteer.Division) -> str:
    return "/".join(d.name for d in division_path(div))


def problem_category(heading: str | None, text: str) -> str:
    spec = load("problem_categories.json")
    for probe in (text, heading or ""):
        for name, words in spec["categories"]:
            if any(w in probe for w in words):
                return name
    return spec["fallback"]


def _framework(f: dict | None) -> dict:
    """The framework item of a problem and where its heading states it (flat: every backend)."""
    f = f or {"framework": None, "item": "unplaced", "rule": "framework.unplaced"}
    span = f.get("span") or (None, None)
    return {"framework": f["item"], "framework_set": f["framework"], "framework_rule": f["rule"],
            "framework_span_start": span[0], "framework_span_end": span[1]}


def build_graph(records: Iterable[dict]) -> Graph:
    """The graph of records of different notices (records alone carry no text to tell
    copies by: kg.build groups them), each its own first Copy."""
    from kg.copies import copy_graph, source_of

    graph = Graph()
    for record in records:
        first = record["sha256"] not in graph.documents
        add_record(graph, record)
        graph.merge(copy_graph(source_of(None, record), record["sha256"], 1.0, first))
    finish(graph)
    return graph


def add_record(graph: Graph, r: dict) -> None:
    """Add one document's facts to the graph (merging with what other notices said)."""
    if r["sha256"] not in graph.documents:  # else the same bytes under another name: one notice
        graph.merge(fragment(r))


def _evidence(doc: str, fact: dict | None, fallback_rule: str) -> dict | None:
    if not fact or "span" not in fact:
        return None
    return provenance(doc, fact["span"][0], fact["span"][1], fact.get("rule", fallback_rule), fact.get("raw", ""))


def _add_region(graph: Graph, div: gazetteer.Division, evidence: dict | None) -> tuple[str, str]:
    """The region and its ancestors, linked by PART_OF."""
    parent = None
    for d in division_path(div):
        ident = graph.add_node("Region", region_key(d), {"name": d.name, "level": d.level, "province": d.province}, evidence)
        if parent is not None:
            graph.add_relationship("PART_OF", ident, parent, evidence=evidence)
        parent = ident
    return parent


def fragment(r: dict) -> Graph:
    """The graph of one notice, keyed so that it merges with every other notice's graph.
    Needs nothing but the record, so that it can run in worker processes."""
    graph = Graph()
    doc = r["sha256"]
    graph.documents.add(doc)
    # The notice itself: its title line where it has one, else the empty span at its start.
    doc_ev = _evidence(doc, r.get("evidence", {}).get("title"), "title") or provenance(doc, 0, 0, "document.read", "")
    d = graph.add_node("Document", doc, {
        "source": r["source"], "title": r["title"], "doc_type": r["doc_type"], "published": r["published"],
        "published_day": day_number(r["published"]), "length": r.get("length"), "encoding": r.get("encoding"),
        "url": r.get("url"), "fetched": r.get("fetched"),  # the page cited, for a notice read from the web
    }, doc_ev)
    for props, ev in stated_totals(doc, r.get("stated_totals")):
        graph.add_node("Document", doc, props, ev)  # the notice again: this total, evidenced by its own span

    org = None
    issuer = r.get("issuer")
    if issuer:
        name_ev = _evidence(doc, issuer["evidence"].get("name"), "issuer")
        curated = issuer.get("curation")
        scope = "global" if organization_resolved(issuer) or curated else "document"
        prefix = f"{doc}|" if scope == "document" else ""
        pg = graph.add_node("PartyGroup", prefix + issuer["name"], {"name": issuer["name"]}, name_ev)
        graph.add_relationship("ISSUED_BY", d, pg, evidence=name_ev)
        org_key = (curated or {}).get("key") or prefix + issuer["organization"]
        org = graph.add_node("Organization", org_key,
                             {"name": issuer["organization"], "region": issuer["region"], "scope": scope}, name_ev)
        _curation_evidence(graph, org, doc, issuer["evidence"].get("name"), curated)
        graph.add_relationship("GROUP_OF", pg, org, evidence=name_ev)
        div = gazetteer.lookup(issuer["region"], issuer["province"]) if issuer["region"] else None
        if div:
            region_ev = _evidence(doc, issuer["evidence"].get("region"), "issuer.region")
            graph.add_relationship("LOCATED_IN", org, _add_region(graph, div, region_ev), evidence=region_ev)

    inspection = r.get("inspection")
    if inspection:
        _add_inspection(graph, doc, d, org, inspection)
    for c in r.get("citations", []):
        _add_citation(graph, doc, d, org, c)
    for i, p in enumerate(r.get("problems", []), 1):
        key = problem_key(doc, i)
        ident = graph.add_node("Problem", key, {
            "text": p["text"], "number": p["number"], "marker": p["label"] or None, "heading": p["heading"],
            "subheading": p["subheading"], "category": problem_category(p["heading"], p["text"]),
            # sorted: the same list whichever backend stores it (RDF keeps no order)
            "themes": json.dumps(sorted(terms), ensure_ascii=False) if (terms := terms_of(p["text"])) else None,
            "organization": org[1] if org else None,
            **_framework(p.get("framework")),
        }, _evidence(doc, p, "problems"))
        graph.add_relationship("RAISED_IN", ident, d, key=key, evidence=_evidence(doc, p, "problems"))  # one per problem
        for j, m in enumerate(p["measures"], 1):
            measure = graph.add_node("Measure", measure_key(key, j), {"text": m["text"]}, _evidence(doc, m, "problems.measure"))
            graph.add_relationship("ANSWERS", measure, ident, key=measure[1], evidence=_evidence(doc, m, "problems.measure"))
    return graph


# The record's stated totals (kg.extract.problems.stated_totals) → Document properties stated_*.
STATED_TOTALS = ("aspects", "problems", "specific_problems", "completed", "basically_completed", "as_of")


def stated_totals(doc: str, totals: dict | None) -> list[tuple[dict, dict]]:
    """(Document properties, their evidence) for each total the notice states: a total is
    kept only with the span and rule that read it, so each stays traceable."""
    if not totals:
        return []
    out = []
    for name in STATED_TOTALS:
        ev = _evidence(doc, totals["evidence"].get(name), STATED_TOTALS_RULE + name)
        if totals.get(name) is None or ev is None:
            continue
        props = {f"stated_{name}": totals[name]}
        if name == "as_of":
            props["stated_as_of_day"] = day_number(totals[name])
        out.append((props, ev))
    return out


def problem_key(doc: str, i: int) -> str:
    """The key of a notice's i-th problem (from 1): a notice's problems are found by key."""
    return f"{doc}|p{i}"


def measure_key(problem: str, j: int) -> str:
    """The key of a problem's j-th measure (from 1)."""
    return f"{problem}|m{j}"


def organization_resolved(issuer: dict) -> bool:
    """A full identity: placed in a division, or a name that does not lean on one
    (滨海港工业园区管理办公室), as opposed to 市妇联 or 中共城中区委员会 unplaced."""
    return bool(issuer.get("region")) or not RELATIVE_NAME.match(issuer["organization"])


def committee_resolved(name: str | None) -> bool:
    """湘潭市委 or 中共中央, not a bare 市委 or 自治区党委."""
    return bool(name) and not BARE_COMMITTEE.fullmatch(name)


def _add_inspection(graph: Graph, doc: str, d, org, ins: dict) -> None:
    ev = ins["evidence"]
    team_ev = _evidence(doc, ev.get("team") or ev.get("committee"), "inspection.team")
    committee = None
    if ins["committee"]:
        scope = "global" if committee_resolved(ins["committee"]) else "document"
        key = ins["committee"] if scope == "global" else f"{doc}|{ins['committee']}"
        committee = graph.add_node("Committee", key, {"name": ins["committee"], "scope": scope}, team_ev)
        div = gazetteer.lookup(ins["committee"].removeprefix("中共").removesuffix("委").removesuffix("党"))
        if div and scope == "global":
            graph.add_relationship("COMMITTEE_OF", committee, _add_region(graph, div, team_ev), evidence=team_ev)
    # A team is known across notices by its committee, number (or field) and round; a team
    # the notice names by kind alone, or without a placed committee, is its notice's own.
    identified = committee is not None and (ins["team_number"] is not None or _has_field(ins["team"]))
    owner = committee[1] if committee is not None else f"{doc}|"
    team_key = "|".join(str(x) for x in (owner, ins["kind"], ins["team_number"], ins["round"] or ""))
    if ins["team_number"] is None:
        team_key += f"|{ins['team'] or ''}"
    if ins["team"] and not identified and not team_key.startswith(doc):
        team_key = f"{doc}|{team_key}"
    team = None
    if ins["team"]:
        team = graph.add_node("InspectionTeam", team_key, {
            "name": qualified_team_name(ins), "kind": ins["kind"], "number": ins["team_number"], "round": ins["round"],
        }, team_ev)
        if committee is not None:
            graph.add_relationship("TEAM_OF", team, committee, evidence=team_ev)
    visit_ev = _evidence(doc, ev.get("start") or ev.get("team") or ev.get("committee"), "inspection")
    visit = graph.add_node("Inspection", f"{team_key}|{org[1] if org else ''}|{ins['start'] or doc}", {
        "kind": ins["kind"], "round": ins["round"],
        "start_date": ins["start"], "end_date": ins["end"], "feedback_date": ins["feedback"],
        "start_day": day_number(ins["start"]), "end_day": day_number(ins["end"]), "feedback_day": day_number(ins["feedback"]),
    }, visit_ev)
    if team is not None:
        graph.add_relationship("CONDUCTED_BY", visit, team, evidence=team_ev)
    if org:
        graph.add_relationship("INSPECTED", visit, org, evidence=visit_ev)
    graph.add_relationship("REPORTED_IN", visit, d, evidence=team_ev)


def _has_field(team: str | None) -> bool:
    """县委机动巡察组, 区委营商环境专项巡察组: a team named by its field, not only its kind."""
    return bool(team) and not re.fullmatch(r"(?:\S{0,12}?(?:委|级))?(?:巡视|巡察)组", team)


def qualified_team_name(ins: dict) -> str | None:
    """The team's name with its committee placed: 市委第三巡察组 of 湘潭市委 → 湘潭市委第三巡察组."""
    team, committee = ins["team"], ins["committee"]
    bare = BARE_COMMITTEE.match(team or "")
    if team and committee and bare and committee != bare.group() and committee.endswith(bare.group()):
        return committee + team[bare.end():]
    return team


def _add_citation(graph: Graph, doc: str, d, org, c: dict) -> None:
    if c["alias_of"]:
        targets, via = c["alias_of"], c["title"]
    else:
        targets, via = [c["title"]], None
    ev = _evidence(doc, c, "citations")
    # A short form nothing defines (《条例》) is its notice's own, never guessed or shared.
    unresolved = not c["alias_of"] and c["title"] in load("regulations.json")["generic_short_forms"]
    scoped = c["kind"] not in GLOBAL_KINDS and org is not None and not unresolved
    curated = c.get("curation")
    for title in targets:
        key = f"{doc}|{title}" if unresolved else f"{org[1]}|{title}" if scoped else title
        if curated and curated.get("key") and curated["key"].startswith(title + "|apart:"):
            key = curated["key"]  # kept apart by the user's curation file
        reg = graph.add_node("Regulation", key, {
            "title": title, "kind": c["kind"], "scope": "document" if unresolved else "organization" if scoped else "global",
        }, ev)
        _curation_evidence(graph, reg, doc, c, curated)
        if scoped:
            graph.add_relationship("SCOPED_TO", reg, org, evidence=ev)
        cites_key = f"{doc}|{c['span'][0]}|{key}"
        graph.add_relationship("CITES", d, reg, key=cites_key, evidence=ev, props={
            "action": c["action"], "raw": c["raw"], "span_start": c["span"][0], "span_end": c["span"][1],
            "rule": c["rule"], "via_alias": via,
        })
        if org is not None:  # counted per organization at build time: its notices, as wholes (see DERIVED)
            graph.add_relationship("ORGANIZATION_CITES", org, reg, key=f"{org[1]}|{key}|{c['action'] or ''}",
                                   props={"action": c["action"]}, evidence=provenance(doc, 0, 0, COUNTED, ""))
        if curated:
            graph.put_relationship("CITES", cites_key, d, reg, {}, [_curation_ev(doc, c, curated)])


def _curation_evidence(graph: Graph, node: tuple[str, str], doc: str, fact: dict | None, curated: dict | None) -> None:
    """Provenance naming the curation decision (file, line, why) that made this entity."""
    if curated and fact and "span" in fact:
        graph.put_node(*node, graph.nodes[node].props, None, [_curation_ev(doc, fact, curated)])


def _curation_ev(doc: str, fact: dict, curated: dict) -> dict:
    return provenance(doc, fact["span"][0], fact["span"][1], curated["rule"], fact.get("raw", ""))


def finish(graph: Graph) -> None:
    """What needs every notice: the properties of DERIVED and the CO_CITED pairs; then
    each item keeps its first EVIDENCE_LIMIT pieces of evidence."""
    for items in (graph.nodes, graph.relationships):
        for (table, _), item in items.items():
            if table in DERIVED:
                DERIVED[table].apply(item.props, {e[DERIVED[table].field] for e in item.provenance})
    counted = CoCitations()
    for doc, regulations in cited_by_notice(graph).items():
        counted.add(doc, regulations)
    add_co_citations(graph, counted)
    keep_evidence(graph)


@dataclass(frozen=True)
class Derived:
    """A property computed from the distinct values of one field ("doc" or "quote") of all
    an item's evidence: what a full build reads from the evidence in memory and an
    incremental one asks SQLite for (kg.statements.distinct_evidence)."""
    prop: str
    field: str
    compute: Callable[[set[str]], object]

    def apply(self, props: dict, values: set[str]) -> None:
        props[self.prop] = self.compute(values)


def _raw_forms(quotes: set[str]) -> str:
    """Every way a regulation was written (traditional forms included)."""
    return json.dumps(sorted({q.strip("《》<>") for q in quotes}), ensure_ascii=False)


# label or type → a property that needs every notice's evidence
DERIVED = {"Regulation": Derived("raw_forms", "quote", _raw_forms),
           "ORGANIZATION_CITES": Derived("documents", "doc", len)}  # how many notices it comes from
