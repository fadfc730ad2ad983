"""Cross-document identity: what merges, what stays apart."""
from __future__ import annotations

import pytest

from kg.errors import KgError
from kg.extract import extract
from kg.graph import Graph, canonical
from kg.read import read_bytes, read_source
from kg.resolve import build_graph, day_number, problem_category
from tests.conftest import seed
from tests.variants import insert_after_line, line_with, without_signature


@pytest.fixture(scope="module")
def graph(records):
    return build_graph(records.values())


def nodes(graph, label):
    return {key: node for (lab, key), node in graph.nodes.items() if lab == label}


def citing_orgs(graph):
    """Regulation key → organizations whose notices cite it."""
    org_of_doc = {}
    for (t, _), rel in graph.relationships.items():
        if t == "ISSUED_BY":
            org_of_doc[rel.start[1]] = rel.end[1].removeprefix("中共").removesuffix("党组")
    out = {}
    for (t, _), rel in graph.relationships.items():
        if t == "CITES":
            out.setdefault(rel.end[1], set()).add(org_of_doc[rel.start[1]])
    return out


def test_recurring_regulations_are_exactly_four(graph):
    recurring = {k for k, orgs in citing_orgs(graph).items() if len(orgs) > 1}
    assert recurring == {"关于新形势下党内政治生活的若干准则", "中国共产党党组工作条例",
                         "党政领导干部选拔任用工作条例", "中国共产党纪律处分条例"}


def test_traditional_notice_and_alias_meet_the_simplified_node(graph):
    """004 cites 《中國共產黨紀律處分條例》 and three times 《條例》: one node with 002's citation."""
    reg = nodes(graph, "Regulation")["中国共产党纪律处分条例"]
    assert {e["quote"] for e in reg.provenance} == {"《中国共产党纪律处分条例》", "《中國共產黨紀律處分條例》", "《條例》"}
    assert citing_orgs(graph)["中国共产党纪律处分条例"] == {"政协桑植县委员会", "天津市妇女联合会"}


def test_plural_short_form_makes_an_edge_to_each_referent(graph):
    via = [r for (t, _), r in graph.relationships.items() if t == "CITES" and r.props["via_alias"] == "条例"
           and r.end[1].startswith("浙江省")]
    assert sorted(r.end[1] for r in via) == ["浙江省反家庭暴力条例", "浙江省妇女权益保障条例"]


def test_same_short_name_two_cities_two_organizations(graph):
    orgs = nodes(graph, "Organization")
    assert {"湘潭市妇女联合会", "天津市妇女联合会"} <= set(orgs)
    assert orgs["天津市妇女联合会"].props["region"] == "天津市"


def test_short_form_notice_merges_with_full_name():
    """A Xiangtan notice that never spells out 湘潭市妇女联合会 (no signature) is the same organization."""
    text = seed("000").read_text(encoding="utf-8")
    full = extract(read_bytes(text.encode(), "full.txt"))
    short = extract(read_bytes(without_signature(text).encode(), "short.txt"))
    assert short["issuer"]["evidence"]["name"]["raw"] == "市妇联党组"
    g = build_graph([full, short])
    assert list(nodes(g, "Organization")) == ["湘潭市妇女联合会"]
    assert len(nodes(g, "Document")) == 2


def test_internal_rules_of_two_organizations_stay_apart():
    """Two organizations' 《财务管理制度》 are two regulations, scoped to each."""
    county = seed("002").read_text(encoding="utf-8")
    xiangtan = insert_after_line(seed("000").read_text(encoding="utf-8"), "16.报销票据不规范",
                                 line_with(county, "修订完善了《财务管理制度》"))
    records = [extract(read_bytes(county.encode(), "002.txt")), extract(read_bytes(xiangtan.encode(), "000+.txt"))]
    g = build_graph(records)
    finance = {k: n for k, n in nodes(g, "Regulation").items() if n.props["title"] == "财务管理制度"}
    assert set(finance) == {"政协桑植县委员会|财务管理制度", "湘潭市妇女联合会|财务管理制度"}
    assert {n.props["scope"] for n in finance.values()} == {"organization"}
    scoped = {(r.start[1], r.end[1]) for (t, _), r in g.relationships.items() if t == "SCOPED_TO"}
    assert ("湘潭市妇女联合会|财务管理制度", "湘潭市妇女联合会") in scoped


def test_region_hierarchy_and_committee(graph):
    regions = nodes(graph, "Region")
    assert regions["湖南省/张家界市/桑植县"].props["level"] == "county"
    part_of = {(r.start[1], r.end[1]) for (t, _), r in graph.relationships.items() if t == "PART_OF"}
    assert {("湖南省/张家界市/桑植县", "湖南省/张家界市"), ("湖南省/张家界市", "湖南省")} <= part_of
    committee_of = {(r.start[1], r.end[1]) for (t, _), r in graph.relationships.items() if t == "COMMITTEE_OF"}
    assert ("张家界市委", "湖南省/张家界市") in committee_of


def test_team_identity_includes_round(graph):
    assert set(nodes(graph, "InspectionTeam")) == {
        "湘潭市委|巡察|3|", "浙江省委|巡视|6|", "张家界市委|巡察|7|", "东营市委|巡察|1|5"}


def test_every_node_and_relationship_has_provenance(graph):
    for node in graph.nodes.values():
        assert node.provenance, node
    for rel in graph.relationships.values():
        assert rel.provenance, rel
        for e in rel.provenance:
            assert set(e) == {"doc", "span", "rule", "quote"}


def stated_names() -> list[str]:
    """The totals a record can state (schema/extraction.schema.json)."""
    from kg.schema import load_json

    spec = load_json("extraction.schema.json")["properties"]["stated_totals"]["oneOf"][1]["properties"]
    return [name for name in spec if name != "evidence"]


def test_stated_totals_are_the_notices_each_with_its_span_and_rule(graph, records):
    texts = {r["sha256"]: read_source(str(seed(k))).text for k, r in records.items()}
    stating = 0
    for r in records.values():
        doc = graph.nodes[("Document", r["sha256"])]
        totals = r["stated_totals"] or {}
        assert {n: doc.props[f"stated_{n}"] for n in stated_names()} == {n: totals.get(n) for n in stated_names()}
        assert doc.props["stated_as_of_day"] == (day_number(totals["as_of"]) if totals.get("as_of") else None)
        evidence = {e["rule"]: e for e in doc.provenance if e["rule"].startswith("stated_totals.")}
        assert set(evidence) == {f"stated_totals.{n}" for n in totals if n != "evidence"}
        for name, e in evidence.items():
            start, end = e["span"]
            assert [start, end] == totals["evidence"][name.split(".")[1]]["span"]
            assert texts[r["sha256"]][start:end] == e["quote"]  # short quotes are whole
        # the title's entry (or the notice's as a whole) stays beside them
        assert len(doc.provenance) == len(evidence) + 1
        stating += bool(evidence)
    assert stating >= 3  # seeds 001, 002 and 003 state totals


def test_graph_does_not_depend_on_input_order(records):
    a = build_graph(records.values())
    b = build_graph(reversed(list(records.values())))
    assert {k: (n.props, canonical(n.provenance)) for k, n in a.nodes.items()} == \
           {k: (n.props, canonical(n.provenance)) for k, n in b.nodes.items()}
    assert a.relationships.keys() == b.relationships.keys()


def test_same_file_twice_is_one_document(records):
    g = build_graph([records["000"], dict(records["000"], source="copy.txt")])
    assert len(nodes(g, "Document")) == 1
    nodes_once, rels_once = build_graph([records["000"]]).counts()
    nodes_once["Copy"] += 1  # each file is a Copy of the one notice
    rels_once["COPY_OF"] += 1
    assert g.counts() == (nodes_once, rels_once)


def unplaced_notices(cities: int) -> list[dict]:
    """Seed 000 as `cities` cities' 市妇联 would publish it with no place kg can read: the
    signature, every 湘潭 and the address (岳塘区 places it too) gone, and an undefined
    《条例》 cited."""
    text = without_signature(seed("000").read_text(encoding="utf-8")).replace("湘潭", "").replace("岳塘区", "")
    text = insert_after_line(text, "一、组织整改落实情况", "认真学习《条例》有关规定。")
    return [extract(read_bytes(f"{text}\n本文链接:city-{i}\n".encode(), f"city-{i}.txt")) for i in range(cities)]


def documents_of(graph, label: str, key: str) -> set[str]:
    """The documents whose facts point at node (label, key), through any relationship."""
    return {e["doc"] for (lab, k), node in graph.nodes.items() if (lab, k) == (label, key) for e in node.provenance}


def test_unresolved_names_are_never_shared_across_notices():
    """Same short name in several cities, a bare 市委, an undefined 《条例》: each stays its
    notice's own; the notice whose city is known still resolves to its full name."""
    records = unplaced_notices(3)
    assert {r["issuer"]["organization"] for r in records} == {"市妇联"}
    assert {r["inspection"]["committee"] for r in records} == {"市委"}
    placed = extract(read_bytes(seed("000").read_bytes(), "000.txt"))
    g = build_graph([*records, placed])
    short = {k: n for k, n in nodes(g, "Organization").items() if n.props["name"] == "市妇联"}
    assert len(short) == 3 and {n.props["scope"] for n in short.values()} == {"document"}
    for key in short:
        assert len(documents_of(g, "Organization", key)) == 1
    assert nodes(g, "Organization")["湘潭市妇女联合会"].props["scope"] == "global"
    for label, name_prop, name in (("Committee", "name", "市委"), ("Regulation", "title", "条例")):
        found = {k: n for k, n in nodes(g, label).items() if n.props[name_prop] == name}
        assert len(found) == 3, label
        assert all(n.props["scope"] == "document" for n in found.values())
        assert all(len(documents_of(g, label, k)) == 1 for k in found)
    # Unnumbered 巡察组 or teams of a bare 市委: no team is shared by two notices either.
    for key in nodes(g, "InspectionTeam"):
        assert len(documents_of(g, "InspectionTeam", key)) == 1


def test_model_guards_labels_and_properties():
    g = Graph()
    with pytest.raises(KgError, match="no node label"):
        g.add_node("Person", "x", {})
    with pytest.raises(KgError, match="no properties"):
        g.add_node("Regulation", "x", {"colour": "red"})
    a = g.add_node("Document", "d", {})
    with pytest.raises(KgError, match="goes from Document to Regulation"):
        g.add_relationship("CITES", a, a)


@pytest.mark.parametrize(
    "heading,text,category",
    [
        ("财经纪律执行不严格,报账程序不规范", "审核把关不严,大量财务凭证未经审签。", "财经纪律"),
        (None, "发挥党建引领作用还有差距", "基层党建"),
        ("巡察整改不彻底方面", "上一轮巡察反馈问题后…", "巡视巡察整改"),
    ],
)
def test_problem_category(heading, text, category):
    assert problem_category(heading, text) == category
