"""Trends across notices: per period (year, quarter) or group (province, level, kind), the
notices, inspections and organizations; the lags inspection end → feedback → public
report (median and quartiles, in days); the regulations most cited, and those new since
the period before; the problem categories and themes most raised. And communities of
regulations cited together (networkx's Louvain on the co-citation graph).

A notice belongs to the date its inspection started, else to its publication date;
every row says how many of its notices were dated which way. Everything is computed
from the store in a few queries, so Neo4j users get the counts from the named query
`inspections-by-year` and the rest from this module.
"""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from kg.errors import counted
from kg.themes import problem_terms

BY = ("year", "quarter", "province", "level", "kind", "framework")
TIME = ("year", "quarter")
TOP = 5
OTHER = "其他"  # the row of the groups beyond trends(top=…)
# Why a notice has no group, by grouping.
LEFT_OUT = {"year": "with neither date", "quarter": "with neither date (or only a year)",
            "province": "whose organization no notice places in a province",
            "level": "whose organization no notice places in a division", "kind": "naming no kind of inspection",
            "framework": "with neither date"}

DOCUMENTS = ("MATCH (d:Document) OPTIONAL MATCH (d)-[:ISSUED_BY]->(:PartyGroup)-[:GROUP_OF]->(o:Organization) "
             "OPTIONAL MATCH (o)-[:LOCATED_IN]->(r:Region) "
             "RETURN d.key, d.published, d.published_day, o.key, r.province, r.level")
INSPECTIONS = ("MATCH (i:Inspection)-[:REPORTED_IN]->(d:Document) "
               "RETURN d.key, i.key, i.kind, i.start_date, i.end_day, i.feedback_day ORDER BY i.key")
# Shared regulations only: an organization's own rules (scope organization) are no trend.
# Collected per notice: one row a notice, not one a citation or problem (a store of 10 000
# notices holds 300 000 of those, and rows cross into Python one at a time).
CITATIONS = ("MATCH (d:Document)-[:CITES]->(r:Regulation) WHERE r.kind <> 'not_regulation' AND r.scope = 'global' "
             "RETURN d.key, collect(DISTINCT r.title)")
PROBLEMS = ("MATCH (p:Problem)-[:RAISED_IN]->(d:Document) "
            "RETURN d.key, collect(p.category), collect(coalesce(p.themes, '[]'))")
PROBLEM_TEXTS = "MATCH (p:Problem)-[:RAISED_IN]->(d:Document) RETURN d.key, collect(p.text)"
# The rest of the notices' text that themes are measured against: the measures taken.
MEASURE_TEXTS = "MATCH (m:Measure)-[:ANSWERS]->(p:Problem) RETURN p.key, m.text"
FRAMEWORKS = "MATCH (p:Problem)-[:RAISED_IN]->(d:Document) RETURN d.key, p.framework_set, p.framework, p.themes"
PROBLEMS_WITH_ORGANIZATIONS = ("MATCH (p:Problem)-[:RAISED_IN]->(d:Document) "
                               "OPTIONAL MATCH (d)-[:ISSUED_BY]->(:PartyGroup)-[:GROUP_OF]->(o:Organization) "
                               "RETURN p.key, d.key, p.text, o.key, p.themes")


@dataclass
class Notice:
    key: str
    organization: str | None
    province: str | None
    level: str | None
    published: str | None
    published_day: int | None
    inspections: list[tuple] = field(default_factory=list)  # (key, kind, start_date, end_day, feedback_day)
    regulations: list[str] = field(default_factory=list)  # titles of the shared regulations it cites
    categories: list[str] = field(default_factory=list)  # of its problems
    themes: list[tuple[str, ...]] = field(default_factory=list)  # of each of its problems

    @property
    def date(self) -> tuple[str | None, str | None]:
        """(ISO date the notice belongs to, which date that is)."""
        starts = sorted(i[2] for i in self.inspections if i[2])
        if starts:
            return starts[0], "inspection_start"
        return (self.published, "published") if self.published else (None, None)


def _quartiles(values: list[int]) -> dict | None:
    if not values:
        return None
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive") if len(values) > 1 else [values[0]] * 3
    return {"median": median, "q1": q1, "q3": q3, "n": len(values)}


def notices(store, extra_terms: tuple[str, ...] = ()) -> dict[str, Notice]:
    """Every notice with what trends count. Problem themes are those the build stored,
    or with a user's own terms, segmented anew (slower)."""
    out: dict[str, Notice] = {}
    for doc, published, day, org, province, level in store.query(DOCUMENTS)[1]:
        out[doc] = Notice(doc, org, province, level, published, day)
    for doc, key, kind, start, end_day, feedback_day in store.query(INSPECTIONS)[1]:
        out[doc].inspections.append((key, kind, start, end_day, feedback_day))
    for doc, titles in store.query(CITATIONS)[1]:
        out[doc].regulations = titles
    for doc, categories, stored in store.query(PROBLEMS)[1]:
        out[doc].categories = [c for c in categories if c]
        out[doc].themes = [problem_terms("", s) for s in stored]
    if extra_terms:
        for doc, texts in store.query(PROBLEM_TEXTS)[1]:
            out[doc].themes = [problem_terms(t, None, extra_terms) for t in texts]
    return out


def citing_notices(store) -> dict[str, Notice]:
    """Every notice with its organization and shared regulations only: what communities
    need, without the inspections and problems trends() counts."""
    out = {doc: Notice(doc, org, province, level, published, day)
           for doc, published, day, org, province, level in store.query(DOCUMENTS)[1]}
    for doc, titles in store.query(CITATIONS)[1]:
        out[doc].regulations = titles
    return out


def period_of(notice: Notice, by: str) -> str | None:
    date, _ = notice.date
    if by == "year":
        return date[:4] if date else None
    if by == "quarter":
        return f"{date[:4]}-Q{(int(date[5:7]) - 1) // 3 + 1}" if date and len(date) >= 7 else None
    if by == "province":
        return notice.province
    if by == "level":
        return notice.level
    kinds = sorted({i[1] for i in notice.inspections if i[1]})
    return "+".join(kinds) if kinds else None


def trends(store, by: str = "year", extra_terms: tuple[str, ...] = (), top: int | None = None) -> tuple[list[dict], dict]:
    """(one row per period, in order, and a summary saying how notices were dated). With
    `top`, a grouping by place or kind keeps its `top` groups with the most notices and
    makes the others one row, OTHER, last (its lags are those of all their notices); the
    summary's "merged" names them. Periods are never merged."""
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}")
    if by == "framework":
        return framework_trends(store)
    # Only themes distinctive of problems (keyness > 0 against the measures' text) are shown.
    keyness = {t.term: t.keyness for t in ranked_themes(store, extra_terms)}
    groups: dict[str, list[Notice]] = defaultdict(list)
    undated = 0
    for n in notices(store, extra_terms).values():
        period = period_of(n, by)
        if period is None:
            undated += 1
        else:
            groups[period].append(n)
    order, merged = sorted(groups), []
    if top is not None and by not in TIME and len(groups) > top:
        kept = sorted(groups, key=lambda g: (-len(groups[g]), g))[:top]
        merged = sorted(set(groups) - set(kept))
        groups[OTHER] = [n for g in merged for n in groups.pop(g)]
        order = sorted(kept) + [OTHER]
    rows, previous = [], None  # the titles cited in the period before
    for period in order:
        members = groups[period]
        dated = Counter(n.date[1] for n in members)
        inspections = {i[0]: (n, i) for n in members for i in n.inspections}
        to_feedback = [i[4] - i[3] for _, i in inspections.values() if i[3] is not None and i[4] is not None]
        to_report = [n.published_day - i[4] for n, i in inspections.values()
                     if n.published_day is not None and i[4] is not None]
        cited = Counter(title for n in members for title in n.regulations)
        titles = set(cited)
        orgs = {n.organization or n.key for n in members}
        theme_orgs: dict[str, set] = defaultdict(set)
        theme_problems: Counter = Counter()
        for n in members:
            for terms in n.themes:
                for term in (t for t in terms if t in keyness):
                    theme_orgs[term].add(n.organization or n.key)
                    theme_problems[term] += 1
        rows.append({
            "period": period,
            "dated_by": {"inspection_start": dated["inspection_start"], "published": dated["published"]},
            "notices": len(members),
            "inspections": len(inspections),
            "organizations": len(orgs),
            "days_end_to_feedback": _quartiles(to_feedback),
            "days_feedback_to_publication": _quartiles(to_report),
            "top_regulations": [{"title": t, "notices": c} for t, c in sorted(cited.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]],
            "new_regulations": sorted(titles - previous)[:TOP] if by in TIME and previous is not None else [],
            # Ties by name: the cut must not depend on the order notices were read in.
            "top_categories": [{"category": c, "problems": k} for c, k in sorted(Counter(
                c for n in members for c in n.categories).items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]],
            # Ranked by organizations raising a theme, then by its keyness: not by raw word counts.
            "top_themes": [{"theme": t, "organizations": len(o), "problems": theme_problems[t]} for t, o in
                           sorted(theme_orgs.items(), key=lambda kv: (-len(kv[1]), -keyness[kv[0]], kv[0]))[:TOP]],
        })
        if by in TIME:
            previous = titles
    return rows, {"by": by, "undated_notices": undated, "merged": merged,
                  "dated_by": "a notice belongs to its inspection's start date, else its publication date",
                  "left_out": f"{counted(undated, 'notice')} {LEFT_OUT[by]} {'is' if undated == 1 else 'are'} left out"}


def organizations_citing(docs: dict[str, Notice]) -> dict[str, set[str]]:
    """Shared regulation's title → the organizations (keys) whose notices cite it; a notice
    naming no organization counts as its own. Nodes, not names: the recurrence query's count."""
    citing: dict[str, set] = defaultdict(set)
    for n in docs.values():
        for title in n.regulations:
            citing[title].add(n.organization or n.key)
    return citing


def communities(store, min_documents: int = 1, min_organizations: int = 2) -> list[dict]:
    """Regulations cited together in the same notices, grouped by Louvain on the
    co-citation graph (edge weight: notices citing both), largest first. A community
    whose regulations fewer than `min_organizations` organizations cite is one
    organization's habit, not regulations that travel together: left out."""
    import networkx as nx

    docs = citing_notices(store)
    citing = organizations_citing(docs)
    g = nx.Graph()
    for n in docs.values():
        regs = sorted(n.regulations)
        g.add_nodes_from(regs)
        for i, a in enumerate(regs):
            for b in regs[i + 1:]:
                w = g.get_edge_data(a, b, {"weight": 0})["weight"]
                g.add_edge(a, b, weight=w + 1)
    g.remove_edges_from([(a, b) for a, b, w in g.edges(data="weight") if w < min_documents])
    return louvain(g, citing, min_organizations)


def louvain(g, citing: dict[str, set], min_organizations: int = 2) -> list[dict]:
    """Louvain communities of the weighted graph g (seeded: the same every run), each
    with its members and the organizations `citing` them, largest first; those fewer
    than `min_organizations` organizations cite are left out. kg.networks groups the
    CO_CITED graph with it too."""
    import networkx as nx

    # Louvain's result depends on the order nodes and edges were added, which follows the
    # store's row order: sorted, the same store gives the same communities every run.
    h = nx.Graph()
    h.add_nodes_from(sorted(n for n in g if g.degree(n) > 0))
    h.add_weighted_edges_from(sorted((min(a, b), max(a, b), w) for a, b, w in g.edges(data="weight")))
    groups = nx.community.louvain_communities(h, weight="weight", seed=0) if len(h) else []
    out = []
    for members in groups:
        orgs = set().union(*(citing.get(m, set()) for m in members))
        if len(orgs) < min_organizations:
            continue
        out.append({"members": sorted(members, key=lambda m: (-len(citing.get(m, ())), m)), "size": len(members),
                    "organizations": len(orgs)})
    return sorted(out, key=lambda c: (-c["organizations"], -c["size"], c["members"][0]))


def ranked_themes(store, extra_terms: tuple[str, ...] = ()) -> list:
    """The corpus's problem themes by keyness against the measures' text (kg.themes.themes)."""
    from kg.themes import themes

    rows = store.query(PROBLEMS_WITH_ORGANIZATIONS)[1]
    return themes(rows, extra_terms, reference=((k, t) for k, t in store.query(MEASURE_TEXTS)[1] if t))


def framework_trends(store) -> tuple[list[dict], dict]:
    """Problems per year and framework item (kg.extract.framework): one row each, with the
    notices and organizations raising them and their most frequent themes."""
    docs = notices(store)
    cells: dict[tuple, dict] = {}
    undated = set()
    for doc, framework, item, stored in store.query(FRAMEWORKS)[1]:
        n = docs[doc]
        date = n.date[0]
        if not date:
            undated.add(doc)
            continue
        cell = cells.setdefault((date[:4], framework or "", item or "unplaced"),
                                {"problems": 0, "notices": set(), "organizations": set(), "themes": Counter()})
        cell["problems"] += 1
        cell["notices"].add(doc)
        cell["organizations"].add(n.organization or doc)
        cell["themes"].update(problem_terms("", stored) if stored else ())
    rows = [{"period": year, "framework": framework or None, "item": item, "problems": c["problems"],
             "notices": len(c["notices"]), "organizations": len(c["organizations"]),
             "top_themes": [t for t, _ in sorted(c["themes"].items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]]}
            for (year, framework, item), c in sorted(cells.items(), key=lambda kv: (kv[0][0], kv[0][1], -kv[1]["problems"], kv[0][2]))]
    return rows, {"by": "framework", "undated_notices": len(undated), "merged": [],
                  "dated_by": "a notice belongs to its inspection's start date, else its publication date",
                  "left_out": f"the problems of {counted(len(undated), 'notice')} {LEFT_OUT['framework']} "
                              f"{'is' if len(undated) == 1 else 'are'} left out"}
