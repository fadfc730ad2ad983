"""How notices write their problem lists, read by kg.extract.problems: the dev corpus's
real openings (../shared/corpus/dev), and the seed notices rewritten the other ways
notices lay out the same problems (their own sentences, another outline): the same
problems must come out, each with its span in the text and the rule that read it."""
from __future__ import annotations

import re

import pytest

from kg.extract import extract
from kg.extract.layout import Heading, Line
from kg.extract.problems import GROUP, MEASURE, PROBLEM, kind_of
from kg.read import read_source
from tests.conftest import SEEDS, seed

DEV = SEEDS.parent / "dev"
# Dev openings whose problem lists start before the cut (read by hand, problem_labels_dev.json).
LISTING = {"dev03.txt", "dev05.txt", "dev06.txt", "dev07.txt", "dev16.txt"}


@pytest.fixture(scope="module")
def dev() -> dict[str, dict]:
    paths = sorted(DEV.glob("dev*.txt"))
    if len(paths) != 22:
        pytest.skip(f"the dev corpus is not beside this repository ({DEV})")
    return {p.name: extract(read_source(str(p))) for p in paths}


def _problems(tmp_path, text: str, name: str = "notice.txt") -> list[dict]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    record = extract(read_source(str(path)))
    for p in record["problems"]:
        for fact in [p, *p["measures"]]:
            assert text[fact["span"][0]:fact["span"][1]] == fact["raw"], fact
    return record["problems"]


def _seed_text(prefix: str) -> str:
    return seed(prefix).read_text(encoding="utf-8")


def test_dev_openings_of_measures_state_no_problem(dev):
    """Seventeen openings tell only how the rectification was organized (提高政治站位,
    压实整改责任 …, 一是坚决讲政治…): none of their headings is a problem."""
    found = {name: [p["text"][:20] for p in r["problems"]] for name, r in dev.items() if name not in LISTING}
    assert found == {name: [] for name in found}


def test_aspect_heading_over_problem_stated_with_its_measures(dev):
    """dev03 (2016): 一、在政治意识不够强,党的领导弱化方面 > (一)关于少数领导干部不守政治规矩的问题。一是…"""
    (p,) = dev["dev03.txt"]["problems"]
    assert (p["label"], p["number"], p["text"]) == ("(一)", 1, "少数领导干部不守政治规矩")
    assert p["heading"] == "在政治意识不够强,党的领导弱化方面"
    assert p["rule"] == "problems.outline_leaf"
    (m,) = p["measures"]
    assert m["rule"] == "problems.measure_inline" and m["text"].startswith("一是将各级领导干部严守政治纪律")


def test_outline_that_starts_below_its_top_level(dev):
    """dev07 has no 一、: (一) and 1. group the problems (1)(2), each 关于…的问题 followed by
    what was done on its line; the second states its problem in two sentences."""
    first, second = dev["dev07.txt"]["problems"]
    assert first["heading"] == second["heading"] == \
        "学习贯彻习近平新时代中国特色社会主义思想不够深细,推动新时代司法行政工作高质量发展的力度不足"
    assert first["subheading"].startswith("学习贯彻党的二十大精神和习近平法治思想不深入")
    assert first["text"] == "党组未对习近平总书记在中央全面依法治国工作会议上的重要讲话进行学习"
    assert second["text"] == "在“学懂”环节有偏差,理论学习不严不实。材料撰写把关不严、质量不高,出现明显错误表述"
    assert [m["text"][:8] for m in (*first["measures"], *second["measures"])] == ["一是优化理论学习", "健全审核把关制度"]


def test_aspects_a_preamble_names_and_counts(dev):
    """dev06: 以巡察反馈“A、B、C”等三个方面…: three problems, as many as it counts."""
    problems = dev["dev06.txt"]["problems"]
    assert [p["text"] for p in problems] == ["落实问题整改主体责任不严不实", "贯彻落实上级重大决策部署不力",
                                             "履行责任不到位,监管‘高举轻放’"]
    assert {p["rule"] for p in problems} == {"problems.stated_aspects"}


def test_quoted_heading_cut_by_the_opening(dev):
    """dev16 ends inside its first heading, 一、关于“学习贯彻习近平总书记: a problem, cut."""
    (p,) = dev["dev16.txt"]["problems"]
    assert (p["rule"], p["text"], p["label"]) == ("problems.quoted_heading_cut", "学习贯彻习近平总书记", "一、")


def test_heading_kinds_of_real_notices(seed_files, dev):
    """What a heading is, from its words alone: the seeds' problems (缺失, 不到位, 有差距,
    未…, 存在…问题, 过于繁杂 …) are problems; the headings of what was done are not."""
    problems = [(p["label"], p["text"]) for s in ("000", "002", "003") for p in extract(read_source(str(seed(s))))["problems"]]
    for label, text in problems:
        line = Line(0, len(label) + len(text), label + text)
        assert kind_of(Heading(0, 1, label, line, len(label))) == PROBLEM, text
    for text in ("提高政治站位,严格落实责任", "坚持问题导向,科学认真整改", "迅速行动,深化整改部署", "强化督促整改,促进工作落实",
                 "坚决讲政治,切实扛牢巡视整改责任", "以严谨务实举措推动发展", "推进整治工作长效化,确保取得实效",
                 "进一步提高政治站位", "加强大额资金规范使用管理"):
        line = Line(0, len(text), text)
        assert kind_of(Heading(0, 1, "", line, 0)) == MEASURE, text
    line = Line(0, 22, "关于聚焦基层贯彻落实党的路线方针政策和党中央决策部署情况方面")
    assert kind_of(Heading(0, 1, "", line, 0)) == GROUP


# -- the seeds, written the other ways notices write problem lists ---------------------

def test_problems_unnumbered_each_before_its_rectification(tmp_path, records):
    """seed 002 without the numbers of its problems: a line followed by 整改情况:… is one."""
    text = re.sub(r"(?m)^\d+\.(?=.*\n整改情况)", "", _seed_text("002"))
    problems = _problems(tmp_path, text)
    assert [p["text"] for p in problems] == [p["text"] for p in records["002"]["problems"]]
    assert {p["label"] for p in problems} == {""} and all(p["number"] is None for p in problems)
    assert [p["heading"] for p in problems] == [p["heading"] for p in records["002"]["problems"]]


def test_problems_numbered_as_problems(tmp_path, records):
    """问题1: 问题2: … instead of 1. 2. …"""
    problems = _problems(tmp_path, re.sub(r"(?m)^(\d+)\.", r"问题\1:", _seed_text("002")))
    assert [p["text"] for p in problems] == [p["text"] for p in records["002"]["problems"]]
    assert problems[4]["label"] == "问题5:"


def test_problem_and_rectification_on_one_line(tmp_path, records):
    """seed 000 with each 整改情况:… on its problem's line: the problem stops where it begins."""
    problems = _problems(tmp_path, re.sub(r"\n(整改情况:)", r"\1", _seed_text("000")))
    assert [p["text"] for p in problems] == [p["text"] for p in records["000"]["problems"]]
    assert [p["measures"][0]["text"] for p in problems] == [p["measures"][0]["text"] for p in records["000"]["problems"]]
    assert {m["rule"] for p in problems for m in p["measures"]} == {"problems.measure_inline"}


def test_problems_in_circled_numbers(tmp_path, records):
    text = re.sub(r"(?m)^([1-9]|1[0-9]|20)\.", lambda m: chr(0x2460 + int(m.group(1)) - 1), _seed_text("000"))
    problems = _problems(tmp_path, text)
    assert [p["text"] for p in problems] == [p["text"] for p in records["000"]["problems"]]
    assert [p["label"] for p in problems[:3]] == ["①", "②", "③"]


def test_problem_headings_answered_by_measure_headings(tmp_path, records):
    """seed 001's 一、关于“X”问题的整改情况 written 一、关于X的问题: X, answered by its (一)(二)…"""
    problems = _problems(tmp_path, re.sub(r"关于“(.+?)”问题的整改情况", r"关于\1的问题", _seed_text("001")))
    assert [p["text"] for p in problems] == [p["text"] for p in records["001"]["problems"]]
    assert {p["rule"] for p in problems} == {"problems.heading_with_measures"}
    assert [len(p["measures"]) for p in problems] == [3, 6, 3, 3, 2, 3, 2]


def test_problems_stated_as_what_answers_them(tmp_path, records):
    """seed 002's problems as paragraphs 针对“X”的问题,<its rectification>: X is the problem."""
    text = re.sub(r"(?m)^\d+\.(.+?)。.*\n整改情况:(.*)$", r"针对“\1”的问题,\2", _seed_text("002"))
    problems = _problems(tmp_path, text)
    assert [p["text"] for p in problems] == [p["text"].split("。")[0] for p in records["002"]["problems"]]
    assert all(p["measures"][0]["rule"] == "problems.measure_inline" for p in problems)


def test_groups_stated_as_aspects(tmp_path, records):
    """seed 002's (一)反馈问题:X。 written (一)关于X方面的问题: a group still, over the same problems."""
    text = re.sub(r"(?m)^(\([一二三四五六七八九十]+\))反馈问题:(.+?)。?$", r"\1关于\2方面的问题", _seed_text("002"))
    problems = _problems(tmp_path, text)
    assert [p["text"] for p in problems] == [p["text"] for p in records["002"]["problems"]]
    assert problems[0]["heading"].startswith("关于学习贯彻习近平新时代中国特色社会主义思想")


def test_a_restatement_under_a_problem_is_a_measure(tmp_path, records):
    """seed 000's 整改情况: lines written 针对<the problem above>的问题,…: they restate the
    problem they answer, and stay its measures."""
    text = re.sub(r"(?m)^(\d+\.)(.+?)。?\n整改情况:", r"\1\2。\n针对\2的问题,", _seed_text("000"))
    problems = _problems(tmp_path, text)
    assert [p["text"] for p in problems] == [p["text"] for p in records["000"]["problems"]]
    assert problems[0]["measures"][0]["text"].startswith("针对贯彻落实第一议题不到位的问题,建立“第一议题”制度落实台账")
    assert all(len(p["measures"]) == 1 for p in problems)


def test_quoted_group_over_its_problems(tmp_path, records):
    """seed 002's groups as (一)关于“X”问题的整改情况 over their 1. 2. …: still groups, since what
    is under them states problems (when it states measures, seed 001, it is one problem)."""
    text = re.sub(r"(?m)^(\([一二三四五六七八九十]+\))反馈问题:(.+?)。?$", r"\1关于“\2”问题的整改情况", _seed_text("002"))
    problems = _problems(tmp_path, text)
    assert [p["text"] for p in problems] == [p["text"] for p in records["002"]["problems"]]
    assert problems[-1]["heading"] == "关于“选人用人问题解决不畅”问题的整改情况"


def test_problem_written_as_fields(tmp_path, records):
    """seed 002's problems with evidence as fields: 5.X (1)问题描述:<evidence> (2)整改措施:<what
    was done>. X is the problem, answered by the 整改措施; its description is neither."""
    text = re.sub(r"(?m)^(\d+\.)([^。\n]+)。(.+)\n整改情况:(.*)$", r"\1\2\n(1)问题描述:\3\n(2)整改措施:\4", _seed_text("002"))
    problems = _problems(tmp_path, text)
    before = records["002"]["problems"]
    assert len(problems) == len(before) == 38
    fields = [p for p in problems if p["rule"] == "problems.heading_with_measures"]
    assert len(fields) == sum("。" in b["text"].rstrip("。") for b in before)  # those with evidence
    for p in fields:
        old = next(b for b in before if b["number"] == p["number"])
        assert old["text"].startswith(p["text"] + "。")
        assert [m["text"] for m in p["measures"]] == [old["measures"][0]["text"]]


@pytest.mark.parametrize("name, last", [
    ("dev03.txt", "一、在政治意识不够强,党的领导弱化方面"),
    ("000", "(一)贯彻落实党的理论路线方针政策和党中央决策部署有缺失,引领各界妇女群众发挥作用不明显方面"),
])
def test_opening_cut_after_a_group_states_no_problem(tmp_path, seed_files, name, last):
    """A notice cut right after a group's heading (……方面), as web openings are, has not
    reached its problems yet: the group is none."""
    path = DEV / name if name.startswith("dev") else seed(name)
    if not path.exists():
        pytest.skip(f"no {path}")
    text = path.read_text(encoding="utf-8")
    assert _problems(tmp_path, text[: text.index(last) + len(last)]) == []
    assert len(_problems(tmp_path, text)) >= 1  # uncut, it has
