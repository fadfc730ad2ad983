"""The mission's first question has one answer: how many organizations cite each recurring
regulation is the same in the named query, the picture, the report, kg trends and the
SPARQL twin, on 1 000 notices generated from the seeds (many organizations of one name,
e.g. 市妇联 in cities the notices do not place, count once each)."""
from __future__ import annotations

import re
from html import unescape

import pytest

from kg.queries import named
from tests.cli import kg


@pytest.fixture(scope="module")
def store(generated):
    return generated(1000)[1]


def counted(pairs) -> list[tuple[str, int]]:
    """(title, organizations) of each regulation, sorted: regulations are nodes, and two
    organizations' own rules may share a title."""
    return sorted(pairs)


@pytest.fixture(scope="module")
def recurring(store) -> list[tuple[str, int]]:
    """(title, organizations) of each recurring regulation, as the named query counts them."""
    q = named("recurring-regulations")
    columns, rows = store.query(q.cypher, q.bind({}))
    title, organizations, names = (columns.index(c) for c in ("title", "organizations", "names"))
    assert all(len(row[names]) == row[organizations] for row in rows)  # one name per organization counted
    return counted((row[title], row[organizations]) for row in rows)


def test_same_named_organizations_count_apart(store, recurring):
    _, rows = store.query("MATCH (o:Organization)-[:ORGANIZATION_CITES]->(r:Regulation) WHERE r.kind <> 'not_regulation' "
                          "RETURN r.key, r.title, count(DISTINCT o), count(DISTINCT o.name)")
    assert any(names < n for _, _, n, names in rows)  # the corpus has same-named organizations
    assert counted((t, n) for _, t, n, _ in rows if n >= 2) == recurring


def test_the_picture_counts_as_the_query(store, recurring):
    from kg.viz.aggregate import aggregate

    data = aggregate(store, top=len(recurring) + 1, min_organizations=2)
    assert counted((r.title, r.organizations) for r in data.regulations) == recurring
    assert counted((r.title, sum(r.by_group.values())) for r in data.regulations) == recurring


def test_the_report_counts_as_the_query(store, recurring):
    from kg.viz.report import html

    page = html(store)
    table = page.split("<h3>跨单位反复引用的法规</h3>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</td><td>.*?</td><td class=\"num\">(\d+)</td>", table)
    assert counted((unescape(title), int(n)) for title, n in rows) == recurring
    summary = re.search(r"<table class='summary'>.*?</tr><tr><td class=\"num\">\d+</td><td class=\"num\">(\d+)</td>", page)
    _, organizations = store.query("MATCH (o:Organization)<-[:GROUP_OF]-(:PartyGroup)<-[:ISSUED_BY]-(:Document) "
                                   "RETURN count(DISTINCT o)")
    assert int(summary.group(1)) == organizations[0][0]
    assert page.count("<h2 ") == organizations[0][0]  # a section for every organization, placed or not


def test_trends_count_as_the_query(store, recurring):
    from kg import trends

    citing = trends.organizations_citing(trends.notices(store))
    _, shared = store.query("MATCH (r:Regulation) WHERE r.scope = 'global' RETURN r.title")
    shared_titles = {t for (t,) in shared}
    assert counted((t, len(o)) for t, o in citing.items() if len(o) >= 2) == [
        (t, n) for t, n in recurring if t in shared_titles]


def test_the_sparql_twin_counts_as_the_query(store, recurring, tmp_path):
    import pyoxigraph

    nt = tmp_path / "generated.nt"
    result = kg("export", str(store.path), "--out", str(nt))
    assert result.returncode == 0, result.stderr.decode()
    rdf = pyoxigraph.Store()
    rdf.bulk_load(path=str(nt), format=pyoxigraph.RdfFormat.N_TRIPLES)
    answer = rdf.query(named("recurring-regulations", "sparql").cypher)
    assert counted((s["title"].value, int(s["organizations"].value)) for s in answer) == recurring
