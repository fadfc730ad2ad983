"""Every named query in cypher/, run on the seed store, with asserted answers."""
from __future__ import annotations

import json

import pytest

from kg.errors import KgError
from kg.queries import library, named


def run(store, name, **params):
    q = named(name)
    columns, rows = store.query(q.cypher, q.bind({k: str(v) for k, v in params.items()}))
    return [dict(zip(columns, row)) for row in rows]


def test_library_is_documented():
    queries = library()
    assert len(queries) >= 8
    for q in queries.values():
        assert q.description and q.example, q.name
        for p in q.params:
            assert p.doc, (q.name, p.name)


def test_every_query_runs(seed_store):
    required = {"title": "中国共产党纪律处分条例"}
    for q in library().values():
        params = {p.name: required[p.name] for p in q.params if p.required}
        seed_store.query(q.cypher, q.bind(params))


def test_recurring_regulations(seed_store):
    rows = run(seed_store, "recurring-regulations")
    assert {r["title"]: set(r["names"]) for r in rows} == {
        "关于新形势下党内政治生活的若干准则": {"湘潭市妇女联合会", "东营市总工会"},
        "中国共产党党组工作条例": {"湘潭市妇女联合会", "东营市总工会"},
        "党政领导干部选拔任用工作条例": {"东营市总工会", "天津市妇女联合会"},
        "中国共产党纪律处分条例": {"政协桑植县委员会", "天津市妇女联合会"},
    }
    assert {r["kind"] for r in rows} == {"party_regulation"}
    assert run(seed_store, "recurring-regulations", min_organizations=3) == []


def test_citing_documents_includes_short_forms(seed_store):
    rows = run(seed_store, "citing-documents", title="中国共产党纪律处分条例")
    assert [(r["raw"], r["via_alias"]) for r in rows] == [
        ("《中国共产党纪律处分条例》", None),
        ("《中國共產黨紀律處分條例》", None),
        ("《條例》", "条例"), ("《條例》", "条例"), ("《條例》", "条例"),
    ]
    assert rows[0]["organization"] == "政协桑植县委员会" and rows[0]["source"].endswith("002_758074bb1886fac5.txt")


def test_organization_regulations_issued_vs_studied(seed_store):
    rows = {r["action"]: set(r["titles"]) for r in run(seed_store, "organization-regulations", organization="东营市总工会")}
    assert "中华人民共和国工会法" in rows["studied"]
    assert "东营市工人文化宫运营管理办法(试行)" in rows["issued"]
    assert "东营市总工会本级支出管理实施细则" in rows["revised"] & rows["enforced"]
    everyone = run(seed_store, "organization-regulations")
    assert {r["organization"] for r in everyone} == {"湘潭市妇女联合会", "浙江省妇女联合会", "政协桑植县委员会",
                                                     "东营市总工会", "天津市妇女联合会"}


def test_inspection_timeline_lags(seed_store):
    rows = {r["organization"]: (r["days_to_feedback"], r["days_to_publication"])
            for r in run(seed_store, "inspection-timeline")}
    assert rows == {
        "政协桑植县委员会": (38, 93),
        "湘潭市妇女联合会": (47, 216),
        "浙江省妇女联合会": (80, 313),
        "东营市总工会": (81, None),  # no publication date in the notice
    }


def test_teams(seed_store):
    rows = [(r["committee"], r["team"], r["organization"], r["round"]) for r in run(seed_store, "teams")]
    assert rows == [
        ("东营市委", "东营市委第一巡察组", "东营市总工会", 5),
        ("张家界市委", "张家界市委第七巡察组", "政协桑植县委员会", None),
        ("浙江省委", "浙江省委第六巡视组", "浙江省妇女联合会", None),
        ("湘潭市委", "湘潭市委第三巡察组", "湘潭市妇女联合会", None),
    ]


def test_problems_by_category_counts_every_problem(seed_store):
    rows = run(seed_store, "problems-by-category")
    assert sum(r["problems"] for r in rows) == 35 + 7 + 38 + 29 + 3
    finance = next(r for r in rows if r["category"] == "财经纪律")
    assert finance["organizations"] >= 3


def test_problems_by_heading(seed_store):
    rows = run(seed_store, "problems-by-heading", organization="政协桑植县委员会")
    assert len(rows) == 14
    assert sum(r["problems"] for r in rows) == 38


def test_co_cited_regulations(seed_store):
    rows = run(seed_store, "co-cited-regulations")
    assert rows == [{"first": "中国共产党党组工作条例", "second": "关于新形势下党内政治生活的若干准则", "documents": 2}]


def test_organizations_by_region(seed_store):
    rows = {r["organization"]: (r["province"], r["region"], r["level"]) for r in run(seed_store, "organizations-by-region")}
    assert rows == {
        "天津市妇女联合会": ("天津市", "天津市", "province"),
        "东营市总工会": ("山东省", "东营市", "city"),
        "浙江省妇女联合会": ("浙江省", "浙江省", "province"),
        "政协桑植县委员会": ("湖南省", "桑植县", "county"),
        "湘潭市妇女联合会": ("湖南省", "湘潭市", "city"),
    }


def test_explain_citation_quotes_spans(seed_store, seed_files):
    rows = run(seed_store, "explain-citation", title="中国共产党党组工作条例")
    assert len(rows) == 3
    texts = {p.name: p.read_text(encoding="utf-8") for p in seed_files}
    for r in rows:
        (evidence,) = json.loads(r["provenance"])
        start, end = evidence["span"]
        assert texts[r["source"].rsplit("/", 1)[-1]][start:end] == r["raw"] == evidence["quote"]


def test_parameters_are_checked():
    with pytest.raises(KgError, match="needs --param title"):
        named("citing-documents").bind({})
    with pytest.raises(KgError, match="no parameter colour"):
        named("teams").bind({"colour": "red"})
    with pytest.raises(KgError, match="must be int"):
        named("recurring-regulations").bind({"min_organizations": "two"})
    with pytest.raises(KgError, match="no cypher query named"):
        named("nonexistent")


def test_hostile_value_is_only_a_parameter(seed_store):
    before = seed_store.query("MATCH (n:Regulation) RETURN count(n)")[1]
    assert run(seed_store, "citing-documents", title="'}) DETACH DELETE n //") == []
    assert seed_store.query("MATCH (n:Regulation) RETURN count(n)")[1] == before


def test_explain_gives_the_whole_text_of_a_long_span(seed_store, seed_files):
    """Provenance quotes a long measure by its start and end; explain reads the notice and
    shows the whole measure in its sentence."""
    from kg.explain import explain
    from kg.graph import QUOTE_LIMIT

    _, rows = seed_store.query("MATCH (m:Measure) WHERE size(m.text) > $n RETURN m.key, m.text LIMIT 1",
                               {"n": QUOTE_LIMIT + 20})
    (key, text), = rows
    (fact, *_), = [[f for f in explain(seed_store, key) if f.what.startswith("Measure")]]
    (evidence,) = fact.evidence
    assert len(evidence.quote) == QUOTE_LIMIT and "…" in evidence.quote
    assert text.startswith(evidence.quote.split("…")[0])
    assert "【" + text + "】" in evidence.context
