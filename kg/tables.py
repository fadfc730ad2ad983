"""Tidy tables of a store, for R, Stata and pandas: one row per notice, citation, problem,
measure, regulation, organization, inspection and team, joined by keys.

The columns are data (kg/data/codebook.json, the data dictionary written beside them):
a producer that yields a column the codebook does not name fails the export. Rows are
read from the store in windows of node offsets (a table's own columns, then what its
joins reach), so that neither Python nor LadybugDB holds a whole table (a query holds
its whole result) and the export fits the 64 MB pool of every export; the counts shown on
entity rows are read first by one grouped query each and held as key → count, which is
as large as that table's keys, never as the graph.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from kg.data import load
from kg.graph import is_stated_total

PAGE = 20_000  # rows per query


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # text, integer or date
    meaning: str
    derivation: str
    missing: str
    references: str | None = None  # "table.column" it joins


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    columns: tuple[Column, ...]
    formats: tuple[str, ...] | None  # the formats that write it; None: all

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def codebook() -> dict[str, Table]:
    """table name → its documented columns, in the order they are written."""
    book = load("codebook.json")
    return {name: Table(name, spec["doc"], tuple(Column(**c) for c in spec["columns"]),
                        tuple(spec["formats"]) if "formats" in spec else None)
            for name, spec in book["tables"].items()}


class UndocumentedColumn(AssertionError):
    """A producer and the codebook disagree: a bug of kg's, caught before anything is written."""


# -- reading the store in pages --------------------------------------------------------

def _scalar(conn, query: str):
    return next(_rows(conn, query))[0]


def _rows(conn, query: str) -> Iterator[list]:
    result = conn.execute(query)
    try:
        while result.has_next():
            yield result.get_next()
    finally:
        result.close()  # now, not when collected: the next window's query needs its memory


def _paged(conn, match: str, ident: str, own: str, joins: str = "", joined: str = "",
           window: int | None = None) -> Iterator[list]:
    """The rows of `match`, a window of `window` (PAGE) offsets of `ident` (its node
    variable) at a time: the columns `own` (the key first), then the columns `joined`
    (the key first, left out of the row) that the OPTIONAL MATCHes `joins` reach, read
    by a second query over the same window. LadybugDB carries every column of a join
    through hash tables in its buffer pool: a window of measures' text joined to their
    problems and notices filled 64 MB; read apart, each query holds only its window.

    A join that reaches a key twice (a Party group two organizations claim) gives its
    first row. Offsets are dense after a full build and have gaps after deletes, so the
    windows run to the largest offset, not to the count."""
    last = _scalar(conn, f"{match} RETURN max(offset(ID({ident})))")
    if last is None:
        return
    window = window or PAGE
    missing = [None] * (joined.count(",") if joined else 0)
    for lo in range(0, last + 1, window):
        # The bounds written in, not passed as $parameters: so LadybugDB 0.22 scans just the
        # window (with parameters a window's query after another filled 64 MB).
        where = f"WHERE offset(ID({ident})) >= {int(lo)} AND offset(ID({ident})) < {int(lo + window)}"
        reached: dict = {}
        if joined:
            for row in _rows(conn, f"{match} {where} {joins} RETURN {joined}"):
                reached.setdefault(row[0], row[1:])
        for row in _rows(conn, f"{match} {where} RETURN {own}"):
            yield row + reached.get(row[0], missing)


def _grouped(conn, query: str) -> dict:
    """key → value of a query returning (key, value) rows."""
    return {key: int(value) for key, value in _rows(conn, query)}


def _month(iso: str | None) -> str | None:
    return iso[:7] if iso else None


def _day(iso: str | None) -> str | None:
    """A date stated to the day; a month-only one (2022-05) is not a date."""
    return iso if iso and len(iso) == 10 else None


def _lag(a: int | None, b: int | None) -> int | None:
    return b - a if a is not None and b is not None else None


def _span(provenance: str | None) -> tuple[int | None, int | None, str | None]:
    """(start, end, rule) of a node's first evidence: a problem or measure has its own."""
    entries = json.loads(provenance or "[]")
    if not entries:
        return None, None, None
    first = entries[0]
    span = first.get("span") or [None, None]
    return span[0], span[1], first.get("rule")


def _document_evidence(provenance: str | None) -> tuple[str | None, int | None, int | None]:
    """(the title's rule, the start and end of the stated totals' spans) of a Document's
    provenance. Its entries sort by quote, not by kind, so each is told by its rule: the
    stated totals' are stated_totals.*, the title's (or document.read's) the other one."""
    title, starts, ends = None, [], []
    for e in json.loads(provenance or "[]"):
        if is_stated_total(e):
            starts.append(e["span"][0])
            ends.append(e["span"][1])
        elif title is None:
            title = e["rule"]
    return title, min(starts, default=None), max(ends, default=None)


STATED = ("stated_aspects", "stated_problems", "stated_specific_problems", "stated_completed",
          "stated_basically_completed", "stated_as_of")  # Document properties, as the notices columns
FRAMEWORK = ("framework", "framework_set", "framework_rule", "framework_span_start",
             "framework_span_end")  # Problem properties, as the problems columns


# -- the tables -------------------------------------------------------------------------

def notices(conn, counts: dict) -> Iterator[dict]:
    own = ("d.key, d.source, d.url, d.fetched, d.doc_type, d.title, d.provenance, d.length, d.encoding, "
           "d.published, d.published_day, " + ", ".join(f"d.{p}" for p in STATED))
    joins = ("OPTIONAL MATCH (d)-[:ISSUED_BY]->(g:PartyGroup)-[:GROUP_OF]->(o:Organization) "
             "OPTIONAL MATCH (o)-[:LOCATED_IN]->(r:Region) "
             "OPTIONAL MATCH (i:Inspection)-[:REPORTED_IN]->(d) "
             "OPTIONAL MATCH (i)-[:CONDUCTED_BY]->(t:InspectionTeam) "
             "OPTIONAL MATCH (t)-[:TEAM_OF]->(c:Committee)")
    joined = ("d.key, g.name, o.key, o.name, o.region, r.key, r.province, r.level, i.key, i.kind, c.key, c.name, "
              "t.key, t.name, t.number, i.round, i.start_date, i.end_date, i.feedback_date, i.end_day, i.feedback_day")
    n = len(STATED)
    for row in _paged(conn, "MATCH (d:Document)", "d", own, joins, joined):
        (key, source, url, fetched, doc_type, title, prov, length, encoding, published, published_day), \
            stated, joined_values = row[:11], row[11:11 + n], row[11 + n:]
        (issuer, org_key, org, region, region_key, province, level, ins_key, kind, committee_key, committee,
         team_key, team, team_number, round_, start, end, feedback, end_day, feedback_day) = joined_values
        title_rule, stated_start, stated_end = _document_evidence(prov)
        yield {"key": key, "source": source, "url": url, "fetched": fetched, "doc_type": doc_type, "title": title,
               "title_rule": title_rule, "length": length, "encoding": encoding,
               "published": _day(published), "published_month": _month(published),
               "issuer": issuer, "organization_key": org_key, "organization": org, "region": region,
               "region_key": region_key, "province": province, "level": level,
               "inspection_key": ins_key, "inspection_kind": kind, "committee_key": committee_key,
               "committee": committee, "team_key": team_key, "team": team, "team_number": team_number,
               "round": round_,
               "start": _day(start), "start_month": _month(start), "end": _day(end), "end_month": _month(end),
               "feedback": _day(feedback), "feedback_month": _month(feedback),
               "days_end_to_feedback": _lag(end_day, feedback_day),
               "days_feedback_to_published": _lag(feedback_day, published_day),
               "problems": counts["problems"].get(key, 0), "measures": counts["measures"].get(key, 0),
               "citations": counts["citations"].get(key, 0),
               **dict(zip(STATED, stated)),  # stated_as_of is a day (stated_totals.as_of resolves one)
               "stated_totals_span_start": stated_start, "stated_totals_span_end": stated_end}


def citations(conn, counts: dict) -> Iterator[dict]:
    # Windows of citing notices, each about PAGE citations: windows of the relationships'
    # own offsets made LadybugDB scan every citation for each (kg.backends.embedded.StoreRows).
    notices, cites = _scalar(conn, "MATCH (d:Document) RETURN count(d)"), sum(counts["citations"].values())
    window = max(1, PAGE * notices // max(cites, 1))
    own = "r.key, d.key, g.key, g.title, g.kind, r.action, r.raw, r.via_alias, r.span_start, r.span_end, r.rule"
    for key, doc, reg, title, kind, action, raw, via, start, end, rule in _paged(
            conn, "MATCH (d:Document)-[r:CITES]->(g:Regulation)", "d", own, window=window):
        yield {"key": key, "notice_key": doc, "regulation_key": reg, "regulation_title": title, "kind": kind,
               "action": action, "raw": raw, "via_alias": via, "span_start": start, "span_end": end, "rule": rule}


def problems(conn, counts: dict) -> Iterator[dict]:
    own = ("p.key, p.organization, p.number, p.marker, p.heading, p.subheading, p.category, p.themes, "
           "p.framework, p.framework_set, p.framework_rule, p.framework_span_start, p.framework_span_end, "
           "p.text, p.provenance")
    for key, org, number, marker, heading, subheading, category, themes, *framework, text, prov, doc in _paged(
            conn, "MATCH (p:Problem)", "p", own, "OPTIONAL MATCH (p)-[:RAISED_IN]->(d:Document)", "p.key, d.key"):
        start, end, rule = _span(prov)
        yield {"key": key, "notice_key": doc, "organization_key": org, "number": number, "marker": marker,
               "heading": heading, "subheading": subheading, "category": category, "themes": themes,
               **dict(zip(FRAMEWORK, framework)), "text": text, "span_start": start, "span_end": end, "rule": rule}


def measures(conn, counts: dict) -> Iterator[dict]:
    joins = "OPTIONAL MATCH (m)-[:ANSWERS]->(p:Problem) OPTIONAL MATCH (p)-[:RAISED_IN]->(d:Document)"
    for key, text, prov, problem, doc in _paged(conn, "MATCH (m:Measure)", "m", "m.key, m.text, m.provenance",
                                                joins, "m.key, p.key, d.key"):
        start, end, rule = _span(prov)
        # kg.resolve keys a measure by its problem and position: …|p3|m2
        number = int(key.rsplit("|m", 1)[1]) if "|m" in key else None
        yield {"key": key, "problem_key": problem, "notice_key": doc, "number": number, "text": text,
               "span_start": start, "span_end": end, "rule": rule}


def regulations(conn, counts: dict) -> Iterator[dict]:
    for key, title, kind, scope, raw_forms, same_as, org in _paged(
            conn, "MATCH (g:Regulation)", "g", "g.key, g.title, g.kind, g.scope, g.raw_forms, g.same_as",
            "OPTIONAL MATCH (g)-[:SCOPED_TO]->(o:Organization)", "g.key, o.key"):
        yield {"key": key, "title": title, "kind": kind, "scope": scope, "organization_key": org,
               "raw_forms": raw_forms, "same_as": same_as,
               "citations": counts["regulation_citations"].get(key, 0),
               "notices": counts["regulation_notices"].get(key, 0),
               "organizations": counts["regulation_organizations"].get(key, 0)}


def organizations(conn, counts: dict) -> Iterator[dict]:
    for key, name, scope, region, same_as, region_key, province, level in _paged(
            conn, "MATCH (o:Organization)", "o", "o.key, o.name, o.scope, o.region, o.same_as",
            "OPTIONAL MATCH (o)-[:LOCATED_IN]->(r:Region)", "o.key, r.key, r.province, r.level"):
        yield {"key": key, "name": name, "scope": scope, "region": region, "region_key": region_key,
               "province": province, "level": level, "same_as": same_as,
               "notices": counts["organization_notices"].get(key, 0),
               "inspections": counts["organization_inspections"].get(key, 0),
               "problems": counts["organization_problems"].get(key, 0),
               "regulations": counts["organization_regulations"].get(key, 0)}


def inspections(conn, counts: dict) -> Iterator[dict]:
    own = ("i.key, i.kind, i.round, i.start_date, i.end_date, i.feedback_date, "
           "i.start_day, i.end_day, i.feedback_day")
    joins = ("OPTIONAL MATCH (i)-[:CONDUCTED_BY]->(t:InspectionTeam) "
             "OPTIONAL MATCH (i)-[:INSPECTED]->(o:Organization)")
    for key, kind, round_, start, end, feedback, start_day, end_day, feedback_day, team, org in _paged(
            conn, "MATCH (i:Inspection)", "i", own, joins, "i.key, t.key, o.key"):
        yield {"key": key, "kind": kind, "round": round_, "team_key": team, "organization_key": org,
               "start": _day(start), "start_month": _month(start), "end": _day(end), "end_month": _month(end),
               "feedback": _day(feedback), "feedback_month": _month(feedback),
               "days_start_to_end": _lag(start_day, end_day), "days_end_to_feedback": _lag(end_day, feedback_day),
               "notices": counts["inspection_notices"].get(key, 0)}


def teams(conn, counts: dict) -> Iterator[dict]:
    joins = "OPTIONAL MATCH (t)-[:TEAM_OF]->(c:Committee) OPTIONAL MATCH (c)-[:COMMITTEE_OF]->(r:Region)"
    for key, name, kind, number, round_, committee_key, committee, region in _paged(
            conn, "MATCH (t:InspectionTeam)", "t", "t.key, t.name, t.kind, t.number, t.round",
            joins, "t.key, c.key, c.name, r.key"):
        yield {"key": key, "name": name, "kind": kind, "number": number, "round": round_,
               "committee_key": committee_key, "committee": committee, "committee_region_key": region,
               "inspections": counts["team_inspections"].get(key, 0),
               "organizations": counts["team_organizations"].get(key, 0)}


def codebook_rows(conn, counts: dict) -> Iterator[dict]:
    for table in codebook().values():
        for c in table.columns:
            yield {"table_name": table.name, "column_name": c.name, "type": c.type, "meaning": c.meaning,
                   "derivation": c.derivation, "missing": c.missing, "joins": c.references}


PRODUCERS: dict[str, Callable[..., Iterator[dict]]] = {
    "notices": notices, "citations": citations, "problems": problems, "measures": measures,
    "regulations": regulations, "organizations": organizations, "inspections": inspections, "teams": teams,
    "codebook": codebook_rows}

# Counts on entity rows: one grouped query each, (key, count). Walked forwards where a
# table is stored one way (kg.backends.embedded.ONE_WAY); counts of nodes are distinct nodes.
COUNTS = {
    "problems": "MATCH (p:Problem)-[:RAISED_IN]->(d:Document) RETURN d.key, count(p)",
    "measures": "MATCH (:Measure)-[a:ANSWERS]->(:Problem)-[:RAISED_IN]->(d:Document) RETURN d.key, count(a)",
    "citations": "MATCH (d:Document)-[r:CITES]->(:Regulation) RETURN d.key, count(r)",
    "regulation_citations": "MATCH (:Document)-[r:CITES]->(g:Regulation) RETURN g.key, count(r)",
    "regulation_notices": "MATCH (d:Document)-[:CITES]->(g:Regulation) RETURN g.key, count(DISTINCT d)",
    "regulation_organizations": "MATCH (o:Organization)-[:ORGANIZATION_CITES]->(g:Regulation) "
                                "RETURN g.key, count(DISTINCT o)",
    "organization_notices": "MATCH (d:Document)-[:ISSUED_BY]->(:PartyGroup)-[:GROUP_OF]->(o:Organization) "
                            "RETURN o.key, count(DISTINCT d)",
    "organization_inspections": "MATCH (i:Inspection)-[:INSPECTED]->(o:Organization) RETURN o.key, count(DISTINCT i)",
    "organization_problems": "MATCH (p:Problem) WHERE p.organization IS NOT NULL RETURN p.organization, count(p)",
    "organization_regulations": "MATCH (o:Organization)-[:ORGANIZATION_CITES]->(g:Regulation) "
                                "RETURN o.key, count(DISTINCT g)",
    "inspection_notices": "MATCH (i:Inspection)-[r:REPORTED_IN]->(:Document) RETURN i.key, count(r)",
    "team_inspections": "MATCH (i:Inspection)-[:CONDUCTED_BY]->(t:InspectionTeam) RETURN t.key, count(DISTINCT i)",
    "team_organizations": "MATCH (t:InspectionTeam)<-[:CONDUCTED_BY]-(:Inspection)-[:INSPECTED]->(o:Organization) "
                          "RETURN t.key, count(DISTINCT o)",
}


def read_counts(conn) -> dict[str, dict]:
    return {name: _grouped(conn, query) for name, query in COUNTS.items()}


def tables_of(conn, fmt: str) -> Iterator[tuple[Table, Iterator[tuple]]]:
    """(table, its rows as tuples in the codebook's column order) for each table `fmt`
    writes. A producer's row whose columns are not the codebook's raises
    UndocumentedColumn."""
    counts = read_counts(conn)
    for table in codebook().values():
        if table.formats is not None and fmt not in table.formats:
            continue
        if table.name not in PRODUCERS:
            raise UndocumentedColumn(f"codebook table {table.name} has no producer in kg.tables")
        yield table, _checked(table, PRODUCERS[table.name](conn, counts))
    extra = set(PRODUCERS) - set(codebook())
    if extra:
        raise UndocumentedColumn(f"tables {sorted(extra)} are written but not in kg/data/codebook.json")


def _checked(table: Table, rows: Iterator[dict]) -> Iterator[tuple]:
    names = table.names
    wanted = set(names)
    for i, row in enumerate(rows):
        if i == 0 and set(row) != wanted:  # every row of a producer has the same keys
            undocumented, unwritten = sorted(set(row) - wanted), sorted(wanted - set(row))
            raise UndocumentedColumn(f"table {table.name}: columns {undocumented} are not in kg/data/codebook.json"
                                     if undocumented else f"table {table.name}: codebook columns {unwritten} "
                                     "are not written")
        yield tuple(row[n] for n in names)

