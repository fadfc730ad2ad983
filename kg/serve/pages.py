"""One function per page of kg serve, each returning plain data: the page's template
renders it, and its `.json` twin is the same data as JSON. Every value reaches a query
as a parameter; a label reaches one only after it was checked against the graph model.
None of these functions touches a file but the notices the store's build recorded
(kg.corpus.locate, as kg explain finds them) and, for curation, the file kg serve was given."""
from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from urllib.parse import quote

from kg import feeds
from kg.corpus import locate
from kg.errors import KgError
from kg.explain import text_of
from kg.graph import abbreviate, is_stated_total, model
from kg.normalize import normalize
from kg.resolve import measure_key, problem_key
from kg.serve.words import zh
from kg.viz.aggregate import sentence_around


class NotFound(LookupError):
    """No node of that label and key in the store."""


class BadRequest(KgError):
    """A page asked with a parameter it cannot take."""


def offsets(params) -> dict[str, int]:
    """The rows each list of an entity page starts at: LIST_offset=N in its query string."""
    out = {}
    for name, value in params.items():
        if name.endswith("_offset"):
            if not value.isdigit():
                raise BadRequest(f"{name} 应为非负整数，而不是 {value!r}")
            out[name[: -len("_offset")]] = int(value)
    return out


PAGES = {"Document": "notice", "Regulation": "regulation", "Organization": "organization"}
SHA256 = re.compile(r"[0-9a-f]{64}")
# Rows of each list a regulation or organization page shows at once (citing sentences,
# organizations, notices…); "更多" asks for the next ones with ?LIST_offset=N.
SHOWN = 100
NEIGHBOURS = 50  # related nodes of each kind a node page lists


def href(label: str, key: str) -> str:
    """The page of a node: notices, regulations and organizations have their own."""
    page = PAGES.get(label)
    if page:
        return f"/{page}/{quote(key, safe='')}"
    return f"/node/{label}/{quote(key, safe='')}"


def jsonable(value):
    """A value of a query result as JSON has it (dates as ISO 8601, other objects as text)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _entries(prov: str | None, doc: str | None = None) -> list[dict]:
    entries = json.loads(prov or "[]")
    return [e for e in entries if doc is None or e["doc"] == doc]


class _Texts:
    """Notices' texts, read from where the store's build found their files (its roots),
    as kg explain reads them; asking for one notice reads no other's name."""

    def __init__(self, store):
        info = store.build_info()
        self.roots = info.get("roots") or {}
        fields = info.get("fields") or {}
        if feeds.fields() != fields:  # set once: setting it clears what other requests' threads are reading
            feeds.set_fields(fields)  # a feed's items are read back as the build read them

    def text(self, doc: str, source: str | None) -> str | None:
        return text_of(doc, locate(source, self.roots) if source else None)


# -- home ---------------------------------------------------------------------
def home(store) -> dict:
    info = store.build_info()  # its counts were checked against the database when it was built
    nodes, rels = info["nodes"], info["relationships"]
    notices = store.read("MATCH (d:Document) OPTIONAL MATCH (d)-[:ISSUED_BY]->(:PartyGroup)-[:GROUP_OF]->"
                          "(o:Organization) RETURN d.key, d.source, d.title, d.published, o.name "
                          "ORDER BY d.published DESC, d.source LIMIT 50")[1]
    regs = store.read("MATCH (o:Organization)-[:ORGANIZATION_CITES]->(r:Regulation) WHERE r.kind <> 'not_regulation' "
                       "RETURN r.key, r.title, count(DISTINCT o) AS n ORDER BY n DESC, r.title LIMIT 20")[1]
    orgs = store.read("MATCH (d:Document)-[:ISSUED_BY]->(:PartyGroup)-[:GROUP_OF]->(o:Organization) "
                       "RETURN o.key, o.name, count(DISTINCT d) AS n ORDER BY n DESC, o.name LIMIT 20")[1]
    return {"title": "巡视巡察整改通报知识图谱", "nodes": nodes, "relationships": rels,
            "notices": [_notice_row(*row) for row in notices],
            "regulations": [{"key": k, "title": t, "organizations": n, "href": href("Regulation", k)} for k, t, n in regs],
            "organizations": [{"key": k, "name": m, "notices": n, "href": href("Organization", k)} for k, m, n in orgs]}


def _notice_row(key, source, title, published, organization=None) -> dict:
    return {"key": key, "source": source, "title": title or source, "published": jsonable(published),
            "organization": organization, "href": href("Document", key)}


# -- a notice -------------------------------------------------------------------
Q_DOC = ("MATCH (d:Document) WHERE d.key = $key RETURN d.source, d.title, d.doc_type, d.published, d.url, "
         "d.fetched, d.provenance")
Q_DOC_CITES = ("MATCH (d:Document)-[c:CITES]->(r:Regulation) WHERE d.key = $key "
               "RETURN r.key, r.title, r.kind, c.action, c.provenance")
Q_DOC_ISSUER = ("MATCH (d:Document)-[i:ISSUED_BY]->(p:PartyGroup) WHERE d.key = $key "
                "OPTIONAL MATCH (p)-[:GROUP_OF]->(o:Organization) OPTIONAL MATCH (o)-[:LOCATED_IN]->(g:Region) "
                "RETURN p.key, p.name, i.provenance, o.key, o.name, o.provenance, g.key, g.name, g.provenance")
Q_DOC_INSPECTION = ("MATCH (n:Inspection)-[:REPORTED_IN]->(d:Document) WHERE d.key = $key "
                    "OPTIONAL MATCH (n)-[:CONDUCTED_BY]->(t:InspectionTeam) OPTIONAL MATCH (t)-[:TEAM_OF]->(c:Committee) "
                    "RETURN n.key, n.provenance, t.key, t.name, t.provenance, c.key, c.name, c.provenance")
# A notice's problems and measures are looked up by key (kg.resolve.problem_key): RAISED_IN
# and ANSWERS are stored one way, so walking them from the notice scans every problem.
Q_PROBLEMS = "UNWIND $keys AS k MATCH (p:Problem {key: k}) RETURN p.key, p.heading, p.text, p.provenance"
Q_MEASURES = "UNWIND $keys AS k MATCH (m:Measure {key: k}) RETURN m.key, m.text, m.provenance"
BATCH = 32  # keys asked at once
# The CSS class of each kind of fact (kg/serve/static/kg.css colours them).
INSPECTION_RULES = ("inspection.",)


def notice(store, key: str) -> dict:
    """A notice: its text with every fact read from it marked where it was read, and the facts."""
    rows = store.read(Q_DOC, {"key": key})[1]
    if not rows:
        raise NotFound(f"没有这篇通报：{key}")
    source, title, doc_type, published, url, fetched, doc_prov = rows[0]
    text = _Texts(store).text(key, source)
    facts: list[dict] = []
    seen: dict[tuple, dict] = {}

    def add(label: str, node_key: str, name: str, prov: str | None, css: str, detail: str = "",
            keep=lambda e: True) -> None:
        for e in _entries(prov, key):
            start, end = e["span"]
            if start == end or not keep(e):
                continue
            what = (label, node_key, start, end, e["rule"])
            if what in seen:
                continue
            fact = {"id": len(facts), "label": label, "key": node_key, "name": name or e["quote"], "kind": css,
                    "detail": detail, "start": start, "end": end, "rule": e["rule"], "quote": e["quote"],
                    "href": href(label, node_key) if label in model().nodes else None}
            seen[what] = fact
            facts.append(fact)

    # A notice's evidence is its title's and its stated totals' (kg.resolve.stated_totals).
    add("Document", key, title or source, doc_prov, "title", "title", keep=lambda e: not is_stated_total(e))
    add("Document", key, "", doc_prov, "total", "stated total", keep=is_stated_total)
    for p_key, p_name, i_prov, o_key, o_name, o_prov, g_key, g_name, g_prov in store.read(Q_DOC_ISSUER, {"key": key})[1]:
        add("PartyGroup", p_key, p_name, i_prov, "issuer", "issuer")
        if o_key:
            add("Organization", o_key, o_name, o_prov, "organization")
        if g_key:
            add("Region", g_key, g_name, g_prov, "region")
    for n_key, n_prov, t_key, t_name, t_prov, c_key, c_name, c_prov in store.read(Q_DOC_INSPECTION, {"key": key})[1]:
        add("Inspection", n_key, "", n_prov, "inspection", "date")
        if t_key:
            add("InspectionTeam", t_key, t_name, t_prov, "team")
        if c_key:
            add("Committee", c_key, c_name, c_prov, "committee")
    for r_key, r_title, r_kind, action, c_prov in store.read(Q_DOC_CITES, {"key": key})[1]:
        add("Regulation", r_key, r_title, c_prov, "citation", " · ".join(x for x in (r_kind, action) if x))
    problems = _numbered(store, Q_PROBLEMS, [lambda i: problem_key(key, i)])
    for p_key, heading, body, p_prov in problems:
        add("Problem", p_key, _short(body), p_prov, "problem", _short(heading))
    measure_keys = [(lambda j, p=p[0]: measure_key(p, j)) for p in problems]
    for m_key, body, m_prov in _numbered(store, Q_MEASURES, measure_keys):
        add("Measure", m_key, _short(body), m_prov, "measure")
    facts.sort(key=lambda f: (f["start"], -f["end"], f["id"]))
    for i, f in enumerate(facts):
        f["id"] = i
    placed = facts if text is None else [f for f in facts if _placed(text, f)]
    for f in facts:
        f["placed"] = text is not None and f in placed
    link = url if url and re.match(r"https?://", url, re.I) else None  # never javascript: or a file
    issuer = next(({"name": f["name"], "href": f["href"]} for f in facts if f["label"] == "Organization"), None)
    return {"title": title or source, "key": key, "source": source, "doc_type": doc_type,
            "published": jsonable(published), "url": link, "fetched": jsonable(fetched), "organization": issuer,
            "text_available": text is not None,
            "segments": _segments(text, [f for f in facts if f["placed"]]) if text is not None else [],
            "facts": facts}


def _numbered(store, query: str, series: list) -> list[list]:
    """Rows of the nodes keyed series(1), series(2), … for each series (numbered from 1
    without gaps), asked BATCH numbers at a time until a series ends."""
    rows, start, todo = [], 1, list(series)
    while todo:
        keys = {s(n): s for s in todo for n in range(start, start + BATCH)}
        found = store.read(query, {"keys": list(keys)})[1]
        rows += found
        counts = {}
        for row in found:
            counts[id(keys[row[0]])] = counts.get(id(keys[row[0]]), 0) + 1
        todo = [s for s in todo if counts.get(id(s), 0) == BATCH]
        start += BATCH
    return sorted(rows, key=lambda row: _order(row[0]))


def _order(key: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", key)]


def _short(text: str | None, limit: int = 30) -> str:
    return "" if not text else text if len(text) <= limit else text[:limit] + "…"


def _placed(text: str, fact: dict) -> bool:
    """The fact's span still holds what it quoted (the file is the one read)."""
    return 0 <= fact["start"] < fact["end"] <= len(text) and abbreviate(text[fact["start"]:fact["end"]]) == fact["quote"]


def _segments(text: str, facts: list[dict]) -> list[dict]:
    """The text cut where any fact starts or ends: each piece with the facts covering it,
    innermost (shortest) first, and the anchors (sSTART-END) of the spans starting there."""
    cuts = sorted({0, len(text), *(f["start"] for f in facts), *(f["end"] for f in facts)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        covering = sorted((f for f in facts if f["start"] <= a and f["end"] >= b),
                          key=lambda f: (f["end"] - f["start"], f["id"]))
        anchors = sorted({f"s{f['start']}-{f['end']}" for f in facts if f["start"] == a})
        piece = {"text": text[a:b], "facts": [f["id"] for f in covering], "anchors": anchors,
                 "kind": covering[0]["kind"] if covering else None,
                 "tip": f"{zh(covering[0]['label'], 'label')} {covering[0]['name']} · {covering[0]['rule']}"
                 if covering else None}
        if out and not piece["facts"] and not out[-1]["facts"]:
            out[-1]["text"] += piece["text"]
        else:
            out.append(piece)
    return out


# -- a regulation ---------------------------------------------------------------------
# CITES is stored one way (kg.backends.embedded.ONE_WAY): the engine finds a regulation's
# citations by scanning the table, reading each column a query names for every citation
# of every regulation. So the scans name few, short columns (c.raw alone cost more than
# all the others together), count and cut in Cypher, and what a page shows of its rows is
# then read walking forwards from their notices (by key: an OPTIONAL MATCH from a node
# matched by key walks the stored direction; a MATCH there made the engine scan again).
CITING = "MATCH (d:Document)-[c:CITES]->(r:Regulation {key: $key}) "
Q_REG = "MATCH (r:Regulation) WHERE r.key = $key RETURN r.title, r.kind, r.scope, r.raw_forms, r.same_as"
Q_REG_YEARS = CITING + "RETURN left(d.published, 4) AS year, count(c), count(DISTINCT d)"
Q_REG_ALIASES = (CITING + "WHERE c.via_alias IS NOT NULL AND c.via_alias <> '' "
                 "RETURN c.via_alias AS alias, count(*) AS n ORDER BY n DESC, alias LIMIT 50")
# Per citing notice first, then its organization: the join sees one row per notice.
Q_REG_ORGS = (CITING + "WITH d, count(c) AS n OPTIONAL MATCH (d)-[:ISSUED_BY]->(:PartyGroup)-[:GROUP_OF]->"
              "(o:Organization) WITH o, d, n WHERE o IS NOT NULL "
              "RETURN o.key, o.name, count(d) AS notices, sum(n) AS citations "
              "ORDER BY notices DESC, o.name, o.key SKIP $skip LIMIT $limit")
# ORGANIZATION_CITES is derived from CITES and the notices' organizations: the same
# organizations, in a smaller table.
Q_REG_ORG_COUNT = "MATCH (o:Organization)-[:ORGANIZATION_CITES]->(r:Regulation {key: $key}) RETURN count(DISTINCT o)"
Q_REG_PAGE = CITING + "RETURN d.key, c.span_start ORDER BY d.published, d.key, c.span_start SKIP $skip LIMIT $limit"
Q_REG_CITED_IN = ("UNWIND $keys AS k MATCH (d:Document {key: k}) OPTIONAL MATCH (d)-[c:CITES]->(r:Regulation) "
                  "RETURN d.key, r.key, c.span_start, d.source, d.title, d.published, c.raw, c.via_alias, c.action, "
                  "c.span_end")
Q_ISSUERS = ("UNWIND $keys AS k MATCH (d:Document {key: k}) "
             "OPTIONAL MATCH (d)-[:ISSUED_BY]->(:PartyGroup)-[:GROUP_OF]->(o:Organization) RETURN d.key, o.key, o.name")
# CO_CITED runs from the title that sorts first: both directions, the first CO_SHOWN of each.
Q_REG_COCITED = ("MATCH (r:Regulation {key: $key})-[c:CO_CITED]->(o:Regulation) RETURN o.key, o.title, c.documents "
                 "ORDER BY c.documents DESC, o.title LIMIT $limit",
                 "MATCH (o:Regulation)-[c:CO_CITED]->(r:Regulation {key: $key}) RETURN o.key, o.title, c.documents "
                 "ORDER BY c.documents DESC, o.title LIMIT $limit")
Q_REG_SCOPE = ("MATCH (r:Regulation)-[:SCOPED_TO]->(o:Organization) WHERE r.key = $key RETURN o.key, o.name")
CO_SHOWN = 30


def regulation(store, key: str, offsets: dict[str, int] | None = None) -> dict:
    """A regulation: its kind and forms, who cites it and in which sentence (a page of
    each), what is cited with it, and its citations per year."""
    offsets = offsets or {}
    rows = store.read(Q_REG, {"key": key})[1]
    if not rows:
        raise NotFound(f"没有这部法规：{key}")
    title, kind, scope, raw_forms, same_as = rows[0]
    years: dict[str, list[int]] = {}
    for year, citations, notices in store.read(Q_REG_YEARS, {"key": key})[1]:
        counts = years.setdefault(year or "—", [0, 0])  # no date, or an empty one
        counts[0], counts[1] = counts[0] + citations, counts[1] + notices
    per_year = [{"year": y, "notices": n, "citations": c} for y, (c, n) in sorted(years.items())]
    aliases = [{"alias": a, "citations": n} for a, n in store.read(Q_REG_ALIASES, {"key": key})[1]]
    page = {"key": key, "skip": offsets.get("organizations", 0), "limit": SHOWN}
    orgs = [{"key": k, "name": n, "href": href("Organization", k), "notices": d, "citations": c}
            for k, n, d, c in store.read(Q_REG_ORGS, page)[1]]
    organization_count = store.read(Q_REG_ORG_COUNT, {"key": key})[1][0][0]
    cites_from = offsets.get("citations", 0)
    shown = store.read(Q_REG_PAGE, {"key": key, "skip": cites_from, "limit": SHOWN})[1]
    keys = sorted({doc for doc, _ in shown})
    details = {(doc, start): row for doc, r_key, start, *row in store.read(Q_REG_CITED_IN, {"keys": keys})[1]
               if r_key == key}
    issuers = {d: (o, n) for d, o, n in store.read(Q_ISSUERS, {"keys": keys})[1]}
    texts = _Texts(store)
    citations, notice_list = [], {}
    for doc, start in shown:
        source, d_title, published, raw, via_alias, action, end = details[doc, start]
        o_key, o_name = issuers.get(doc, (None, None))
        notice_list.setdefault(doc, {"key": doc, "title": d_title or source, "href": href("Document", doc)})
        before, cited, after = "", raw or "", ""
        text = texts.text(doc, source)
        if text is not None and text[start:end] == raw:
            sentence = sentence_around(text, start, end)
            at = sentence.find(raw)
            if at >= 0:
                before, after = sentence[:at], sentence[at + len(raw):]
        citations.append({"notice": doc, "notice_title": d_title or source, "published": jsonable(published),
                          "href": href("Document", doc) + f"#s{start}-{end}", "organization": o_name,
                          "organization_href": href("Organization", o_key) if o_key else None,
                          "action": action, "before": before, "cited": cited, "after": after,
                          "via_alias": via_alias})
    co: dict[str, tuple] = {}
    for query in Q_REG_COCITED:
        for o_key, o_title, documents in store.read(query, {"key": key, "limit": CO_SHOWN})[1]:
            co[o_key] = (o_title, documents)
    co_cited = sorted(co.items(), key=lambda kv: (-kv[1][1], kv[1][0]))[:CO_SHOWN]
    scoped = [{"key": k, "name": n, "href": href("Organization", k)} for k, n in store.read(Q_REG_SCOPE, {"key": key})[1]]
    citation_count = sum(y["citations"] for y in per_year)
    notices = sum(y["notices"] for y in per_year)
    return {"title": title, "label": "Regulation", "key": key, "kind": kind, "scope": scope, "scoped_to": scoped,
            "raw_forms": json.loads(raw_forms or "[]"), "same_as": json.loads(same_as or "[]"),
            "aliases": aliases, "notices": notices, "notice_count": notices, "notice_list": list(notice_list.values()),
            "citation_count": citation_count, "organizations": orgs, "organization_count": organization_count,
            "organizations_offset": page["skip"], "citations": citations, "citations_shown": len(citations),
            "citations_offset": cites_from, "page_size": SHOWN,
            "co_cited": [{"key": k, "title": t, "documents": n, "href": href("Regulation", k)} for k, (t, n) in co_cited],
            "per_year": per_year}


# -- an organization ----------------------------------------------------------------
Q_ORG = ("MATCH (o:Organization) WHERE o.key = $key OPTIONAL MATCH (o)-[:LOCATED_IN]->(g:Region) "
         "RETURN o.name, o.scope, o.same_as, g.key, g.name, g.province, g.level")
ISSUED = "MATCH (d:Document)-[:ISSUED_BY]->(:PartyGroup)-[:GROUP_OF]->(o:Organization {key: $key}) "
Q_ORG_DOCS = ISSUED + ("RETURN d.key, d.source, d.title, d.published, d.doc_type ORDER BY d.published, d.key "
                       "SKIP $skip LIMIT $limit")
Q_ORG_DOC_COUNT = ISSUED + "RETURN count(d)"
INSPECTED = "MATCH (i:Inspection)-[:INSPECTED]->(o:Organization {key: $key}) "
Q_ORG_INSPECTIONS = INSPECTED + ("WITH i ORDER BY i.start_date, i.key SKIP $skip LIMIT $limit "
                                 "OPTIONAL MATCH (i)-[:CONDUCTED_BY]->(t:InspectionTeam) "
                                 "OPTIONAL MATCH (i)-[:REPORTED_IN]->(d:Document) "
                                 "RETURN i.key, i.kind, i.start_date, i.end_date, i.feedback_date, t.key, t.name, d.key, "
                                 "d.published, i.feedback_day - i.end_day, d.published_day - i.feedback_day "
                                 "ORDER BY i.start_date, i.key")
Q_ORG_INSPECTION_COUNT = INSPECTED + "RETURN count(i)"
# Problem.organization is stored with each problem so that this reads one table.
Q_ORG_PROBLEMS = ("MATCH (p:Problem) WHERE p.organization = $key RETURN coalesce(p.heading, '') AS heading, "
                  "count(*) AS problems ORDER BY problems DESC, heading")
CITED = "MATCH (o:Organization {key: $key})-[c:ORGANIZATION_CITES]->(r:Regulation) "
Q_ORG_REGS = CITED + ("RETURN r.key, r.title, r.kind, collect(c.action), max(c.documents) AS n "
                      "ORDER BY n DESC, r.title, r.key SKIP $skip LIMIT $limit")
Q_ORG_REG_COUNT = CITED + "RETURN count(DISTINCT r)"


def organization(store, key: str, offsets: dict[str, int] | None = None) -> dict:
    """An organization: its notices, its inspections step by step, its problems by
    heading, the regulations it cites (a page of each list)."""
    offsets = offsets or {}
    rows = store.read(Q_ORG, {"key": key})[1]
    if not rows:
        raise NotFound(f"没有这个单位：{key}")
    name, scope, same_as, g_key, g_name, province, level = rows[0]

    def page(name: str) -> dict:
        return {"key": key, "skip": offsets.get(name, 0), "limit": SHOWN}

    notices = [dict(_notice_row(d, s, t, p), doc_type=k) for d, s, t, p, k in store.read(Q_ORG_DOCS, page("notices"))[1]]
    inspections = []
    for (i_key, kind, start, end, feedback, t_key, t_name, d_key, published,
         to_feedback, to_publication) in store.read(Q_ORG_INSPECTIONS, page("inspections"))[1]:
        inspections.append({"key": i_key, "kind": kind, "team": t_name,
                            "team_href": href("InspectionTeam", t_key) if t_key else None,
                            "start": jsonable(start), "end": jsonable(end), "feedback": jsonable(feedback),
                            "published": jsonable(published), "notice_href": href("Document", d_key) if d_key else None,
                            "days_to_feedback": to_feedback, "days_to_publication": to_publication})
    regs = [{"key": r_key, "title": r_title, "kind": r_kind, "actions": sorted(a for a in actions if a),
             "notices": documents or 0, "href": href("Regulation", r_key)}
            for r_key, r_title, r_kind, actions, documents in store.read(Q_ORG_REGS, page("regulations"))[1]]
    problems = [{"heading": h, "problems": n} for h, n in store.read(Q_ORG_PROBLEMS, {"key": key})[1]]

    def count(query: str) -> int:
        return store.read(query, {"key": key})[1][0][0]

    return {"title": name, "label": "Organization", "key": key, "scope": scope, "same_as": json.loads(same_as or "[]"),
            "region": {"key": g_key, "name": g_name, "province": province, "level": level,
                       "href": href("Region", g_key)} if g_key else None,
            "notices": notices, "notice_list": notices, "notice_count": count(Q_ORG_DOC_COUNT),
            "notices_offset": offsets.get("notices", 0),
            "inspections": inspections, "inspection_count": count(Q_ORG_INSPECTION_COUNT),
            "inspections_offset": offsets.get("inspections", 0), "problems": problems,
            "regulations": regs, "regulation_count": count(Q_ORG_REG_COUNT),
            "regulations_offset": offsets.get("regulations", 0), "page_size": SHOWN}


# -- any other node -------------------------------------------------------------------
def _name_field(label: str) -> str:
    props = model().nodes[label]
    return next((f for f in ("title", "name", "text") if f in props), "key")


def node(store, label: str, key: str) -> dict:
    """A node of another label (Party group, team, committee, region, inspection, problem):
    its properties and its neighbours."""
    m = model()
    if label not in m.nodes:
        raise NotFound(f"没有这类节点：{label}")
    rows = store.read(f"MATCH (n:{label}) WHERE n.key = $key RETURN n", {"key": key})[1]
    if not rows:
        raise NotFound(f"没有这个{zh(label, 'label')}：{key}")
    props = {k: jsonable(v) for k, v in rows[0][0].items()
             if not k.startswith("_") and k not in ("provenance", "key") and v is not None}
    related = []
    for rel_type, spec in m.relationships.items():
        for side, other in (("from", "to"), ("to", "from")):
            if spec[side] != label:
                continue
            a, b = ("n", "o") if side == "from" else ("o", "n")
            field = _name_field(spec[other])
            query = (f"MATCH ({a}:{spec['from']})-[:{rel_type}]->({b}:{spec['to']}) WHERE n.key = $key "
                     f"RETURN o.key, o.{field} ORDER BY o.key LIMIT {NEIGHBOURS + 1}")
            found = store.read(query, {"key": key})[1]
            if found:
                related.append({"type": rel_type, "direction": "out" if side == "from" else "in",
                                "label": spec[other], "more": len(found) > NEIGHBOURS,
                                "nodes": [{"key": k, "name": abbreviate(str(n or k)), "href": href(spec[other], k)}
                                          for k, n in found[:NEIGHBOURS]]})
    name = props.get(_name_field(label), key)
    return {"title": f"{zh(label, 'label')} {abbreviate(str(name))}", "label": label, "key": key, "properties": props,
            "related": related}


# -- search ---------------------------------------------------------------------------
SEARCHED = (("Regulation", "title"), ("Organization", "name"), ("PartyGroup", "name"), ("InspectionTeam", "name"),
            ("Committee", "name"), ("Region", "name"), ("Document", "title"))
SEARCH_LIMIT = 50  # hits of each kind


def search(store, q: str) -> dict:
    """Regulations, organizations, Party groups, teams, committees, regions and notices
    whose title, name or key holds `q` (traditional characters read as simplified)."""
    q = (q or "").strip()
    text = normalize(q)
    hits, seen = [], set()
    for term in _terms(text):
        for label, field in SEARCHED:
            extra = " OR n.source CONTAINS $q OR n.key STARTS WITH $q" if label == "Document" else " OR n.key CONTAINS $q"
            query = (f"MATCH (n:{label}) WHERE n.{field} CONTAINS $q{extra} "
                     f"RETURN n.key, n.{field}{', n.source' if label == 'Document' else ''} LIMIT {SEARCH_LIMIT}")
            for row in store.read(query, {"q": term})[1]:
                if (label, row[0]) not in seen:
                    seen.add((label, row[0]))
                    name = row[1] or (row[2] if len(row) > 2 else None) or row[0]
                    hits.append({"kind": label, "key": row[0], "name": name, "href": href(label, row[0])})
    hits.sort(key=lambda h: (h["name"] != text, not h["name"].startswith(text), len(h["name"]), h["kind"]))
    return {"title": f"搜索：{q}" if q else "搜索", "q": q, "normalized": text, "hits": hits,
            "kinds": dict(Counter(h["kind"] for h in hits))}


def _terms(text: str) -> list[str]:
    """What a search looks for: the text and, for an organization's short name (妇联,
    湘潭市妇联), its full form as notices expand it (妇女联合会, 湘潭市妇女联合会)."""
    if not text:
        return []
    from kg.curation_suggest import organization_core
    from kg.data import load

    short_forms = load("organizations.json")["short_forms"]
    full = short_forms[text].replace("{place}", "") if text in short_forms else organization_core(text)[0]
    return [text] + ([full] if full and full != text else [])


# -- named queries and Cypher ------------------------------------------------------------
ROW_LIMIT = 1000  # rows a result page reads and shows (its CSV and JSON hold them all)
READS_ONLY = "这里只运行读取图谱的语句（MATCH … RETURN），与 kg query 相同"


def queries() -> dict:
    from kg.queries import library

    return {"title": "命名查询", "queries": [
        {"name": q.name, "description": q.description, "href": f"/query/{q.name}",
         "params": [{"name": p.name, "type": p.type, "default": p.default, "doc": p.doc, "required": p.required}
                    for p in q.params]} for q in library("cypher").values()]}


def named_query(store, name: str, given: dict[str, str], limit: int | None = None) -> dict:
    """A named query (kg query --name) run with the parameters given (empty ones left to
    their defaults): its first `limit` rows (all when None) and how many it has."""
    from kg.queries import library

    queries_ = library("cypher")
    if name not in queries_:
        raise NotFound(f"没有名为 {name} 的查询")
    q = queries_[name]
    given = {k: v for k, v in given.items() if k in {p.name for p in q.params} and v != ""}
    out = {"title": f"查询 {name}", "name": name, "description": q.description, "cypher": q.cypher,
           "params": [{"name": p.name, "type": p.type, "doc": p.doc, "required": p.required,
                       "value": given.get(p.name, "" if p.default is None else p.default)} for p in q.params]}
    try:
        params = q.bind(given)
    except KgError as e:
        return {**out, **_result(error=str(e))}
    return {**out, **_statement(store, q.cypher, params, limit)}


def cypher(store, text: str, limit: int | None = None) -> dict:
    """A statement typed in the Cypher box, under kg query's rules (reads only)."""
    out = {"title": "Cypher 查询", "cypher": text or ""}
    return {**out, **(_statement(store, text, None, limit) if text and text.strip() else _result())}


def _statement(store, cypher: str, params: dict | None, limit: int | None) -> dict:
    from kg.backends.read_only import NotARead

    try:
        columns, rows, total = store.head(cypher, params, limit) if limit else (*store.query(cypher, params), None)
    except NotARead as e:
        return _result(error=f"已拒绝（{e.what}）：{READS_ONLY}")
    except KgError as e:
        if "read-only database" in str(e):  # a write the engine refused itself (its plan cannot be made)
            return _result(error=f"已拒绝（写入）：{READS_ONLY}")
        return _result(error=str(e))
    return _result(columns, jsonable(rows), len(rows) if total is None else total)


def _result(columns=(), rows=(), row_count: int = 0, error: str | None = None) -> dict:
    return {"error": error, "columns": list(columns), "rows": list(rows), "row_count": row_count}
