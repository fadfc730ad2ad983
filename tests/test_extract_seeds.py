"""The facts a researcher would copy out of each seed notice by hand."""
from __future__ import annotations

import pytest

ISSUERS = {
    "000": ("中共湘潭市妇女联合会党组", "湘潭市妇女联合会", "湘潭市", "湖南省", "city"),
    "001": ("中共浙江省妇女联合会党组", "浙江省妇女联合会", "浙江省", "浙江省", "province"),
    "002": ("中共政协桑植县委员会党组", "政协桑植县委员会", "桑植县", "湖南省", "county"),
    "003": ("中共东营市总工会党组", "东营市总工会", "东营市", "山东省", "city"),
    # An annual report naming itself 市婦聯黨組: expanded with the city it talks about.
    "004": ("中共天津市妇女联合会党组", "天津市妇女联合会", "天津市", "天津市", "province"),
}

INSPECTIONS = {
    "000": dict(team="市委第三巡察组", committee="湘潭市委", kind="巡察", team_number=3, round=None,
                start="2023-10-11", end="2023-12-01", feedback="2024-01-17"),
    "001": dict(team="省委第六巡视组", committee="浙江省委", kind="巡视", team_number=6, round=None,
                start="2024-03-18", end="2024-05-20", feedback="2024-08-08"),
    # A 市委 team at a county body belongs to the city above the county.
    "002": dict(team="市委第七巡察组", committee="张家界市委", kind="巡察", team_number=7, round=None,
                start="2020-05-11", end="2020-06-19", feedback="2020-07-27"),
    "003": dict(team="市委第一巡察组", committee="东营市委", kind="巡察", team_number=1, round=5,
                start="2024-03-25", end="2024-06-07", feedback="2024-08-27"),
    "004": None,
}

PUBLISHED = {"000": "2024-08-20", "001": "2025-06-17", "002": "2020-10-28", "003": None, "004": None}
DOC_TYPES = {"000": "rectification", "001": "rectification", "002": "rectification", "003": "rectification",
             "004": "annual_report"}
PROBLEM_COUNTS = {"000": 35, "001": 7, "002": 38, "003": 29, "004": 3}


@pytest.mark.parametrize("doc", sorted(ISSUERS))
def test_issuer(records, doc):
    issuer = records[doc]["issuer"]
    got = (issuer["name"], issuer["organization"], issuer["region"], issuer["province"], issuer["level"])
    assert got == ISSUERS[doc]


@pytest.mark.parametrize("doc", sorted(INSPECTIONS))
def test_inspection(records, doc):
    inspection = records[doc]["inspection"]
    if INSPECTIONS[doc] is None:
        assert inspection is None
    else:
        assert {k: inspection[k] for k in INSPECTIONS[doc]} == INSPECTIONS[doc]


def test_inspection_term_from_round_phrase(records):
    assert records["003"]["inspection"]["term"] == 7  # 七届市委第五轮巡察


@pytest.mark.parametrize("doc", sorted(PUBLISHED))
def test_published_date_only_from_signature_or_header(records, doc):
    assert records[doc]["published"] == PUBLISHED[doc]


def test_published_evidence_names_its_rule(records):
    assert records["000"]["evidence"]["published"]["rule"] == "published.signature"
    assert records["001"]["evidence"]["published"]["raw"] == "2025年6月17日"


@pytest.mark.parametrize("doc", sorted(DOC_TYPES))
def test_doc_type(records, doc):
    assert records[doc]["doc_type"] == DOC_TYPES[doc]


def test_title(records):
    assert records["003"]["title"] == "中共东营市总工会党组关于市委第一巡察组反馈意见集中整改进展情况的通报"
    assert [records[d]["title"] for d in ("000", "001", "002", "004")] == [None] * 4


@pytest.mark.parametrize("doc", sorted(PROBLEM_COUNTS))
def test_problem_counts(records, doc):
    assert len(records[doc]["problems"]) == PROBLEM_COUNTS[doc]


def test_problems_numbered_under_headings(records):
    problems = records["000"]["problems"]
    assert [p["number"] for p in problems] == list(range(1, 36))
    first, last = problems[0], problems[-1]
    assert first["text"] == "贯彻落实第一议题不到位。"
    assert first["heading"] == "贯彻落实党的理论路线方针政策和党中央决策部署有缺失,引领各界妇女群众发挥作用不明显方面"
    assert first["measures"][0]["text"].startswith("建立“第一议题”制度落实台账")
    assert first["measures"][0]["raw"].startswith("建立")  # the 整改情况: prefix is not part of it
    assert last["heading"] == "巡察整改不彻底方面"
    assert all(len(p["measures"]) == 1 for p in problems)


def test_problems_county_notice(records):
    problems = records["002"]["problems"]
    assert [p["number"] for p in problems] == list(range(1, 39))
    assert len({p["heading"] for p in problems}) == 14  # (一) … (十四)
    assert problems[0]["heading"] == "学习贯彻习近平新时代中国特色社会主义思想和党的十九大精神不深入"
    assert problems[37]["heading"] == "选人用人问题解决不畅"


def test_problems_nested_outline_keeps_leaves_only(records):
    problems = records["003"]["problems"]
    first = problems[0]
    assert (first["label"], first["text"]) == ("一是", "学习计划执行不力。")
    assert first["subheading"] == "学习贯彻习近平总书记对工人阶级和工会工作重要指示批示精神不深入问题"
    assert first["heading"] == "关于聚焦基层贯彻落实党的路线方针政策和党中央决策部署情况方面"
    assert len({p["heading"] for p in problems}) == 4
    assert problems[-1]["text"] == "审计反馈问题屡查屡犯问题"


def test_problems_quoted_in_headings(records):
    problems = records["001"]["problems"]
    assert problems[2]["text"] == "深化妇联组织改革不够持续有效"
    assert [len(p["measures"]) for p in problems] == [3, 6, 3, 3, 2, 3, 2]


def test_problems_shortcomings_of_annual_report(records):
    problems = records["004"]["problems"]
    assert [p["text"] for p in problems] == [
        "发挥党建引领作用还有差距",
        "激发干部干事创业精气神,推动内生动力方面还有欠缺",
        "履行监督责任方式方法不够丰富有效",
    ]
    assert problems[0]["raw"] == "發揮黨建引領作用還有差距"  # spans point into the traditional original


def test_stated_totals(records):
    totals = {k: v for k, v in records["002"]["stated_totals"].items() if k != "evidence"}
    assert totals == {"problems": 14, "specific_problems": 38, "completed": 35, "basically_completed": 3,
                      "as_of": "2020-10-28"}
    assert {k: v for k, v in records["003"]["stated_totals"].items() if k != "evidence"} == {
        "aspects": 4, "specific_problems": 32}
    assert records["001"]["stated_totals"]["aspects"] == 7
    assert records["000"]["stated_totals"] is None


CONTACTS = {
    "000": ([], [], "湘潭市岳塘区湖湘西路6号", "411100"),
    "001": (["0571-87050365"], ["zjsfljgjw@163.com"], "浙江省杭州市拱墅区密渡桥路51-1号省妇联机关党委", None),
    "002": (["0744-6223478"], ["296508598@qq.com"], "桑植县行政中心818室", None),
    "003": (["8381897"], ["dy8381897@dy.shandong.cn"], None, None),
    "004": ([], [], None, None),
}


@pytest.mark.parametrize("doc", sorted(CONTACTS))
def test_contacts(records, doc):
    c = records[doc]["contacts"]
    got = (
        [p["value"] for p in c["phones"]],
        [e["value"] for e in c["emails"]],
        c["address"] and c["address"]["value"],
        c["postcode"] and c["postcode"]["value"],
    )
    assert got == CONTACTS[doc]


def test_phone_keeps_raw_dash(records):
    assert records["002"]["contacts"]["phones"][0]["raw"] == "0744—6223478"


def test_statistics(records):
    stats = {(s["label"], s["value"], s["unit"]) for s in records["001"]["statistics"]}
    assert {("教育提醒", 4, "人"), ("建立完善制度", 15, "项"), ("领导小组会议", 15, "次"),
            ("提供家庭教育个案咨询服务", 11300, "期")} <= stats
    stats = {(s["label"], s["value"], s["unit"]) for s in records["002"]["statistics"]}
    assert ("先后召开党组会议", 5, "次") in stats
    # Numbers inside cited titles, dates and ordinals are not counts.
    assert all(s["unit"] != "年" for r in records.values() for s in r["statistics"])
