"""The problems the inspection found, the heading each sits under, and what was done.

A notice's outline is read as a tree (一、 > (一) > 1. > (1) > ①, 一是 …, 问题1:, and the
lines a notice leaves unnumbered but that read as headings: 关于“…”问题的整改情况,
问题:…, ……方面). Each heading is a *problem statement* (its words name a shortcoming:
…不到位, …有差距, 未…, 存在…问题; or its form does: 关于……的问题, 针对……问题, 问题:…,
……方面), a *measure* (加强…, 健全…, 严格…) or neither. Then:
- under a section 二、巡察反馈问题整改情况, or a heading that is a problem statement,
  a heading with no deeper heading under it is a problem (problems.outline_leaf); one
  whose deeper headings are all measures is a problem answered by them
  (problems.heading_with_measures); the rest are the groups problems sit under
  (……方面: their heading and subheading);
- 一、关于“X”问题的整改情况 is the problem X whatever is under it (problems.quoted_heading);
- measures are the lines under a problem (整改情况: … stripped), and what follows the
  problem's own words on its line (关于X的问题。一是… → X, and 一是… a measure);
- without an outline of problems: a paragraph of shortcomings in an annual report
  (还存在一些不足:一是…。二是…), else the aspects a preamble names and counts
  (反馈“A、B、C”等三个方面: problems.stated_aspects).
Headings of the other sections (组织整改落实情况, 提高政治站位,压实整改责任) are measures,
never problems. Stated totals ("14个问题38个具体问题,已完成整改35个") are read separately.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from kg.extract import framework
from kg.extract.context import Context
from kg.extract.dates import find_dates, resolve_sequence
from kg.extract.layout import CN, Heading, Line, cn_number, heading_of

PROBLEM_SECTION = re.compile(r"反馈.{0,8}(问题|意见).{0,10}整改|问题.{0,6}整改(落实)?(进展)?情况")
QUOTED_PROBLEM = re.compile(r"关于[“\"](?P<text>.+?)[”\"](?:等)?(?:方面的?)?问题的?整改(?:落实)?(?:进展)?情况")
# A heading the text cuts off inside its quotation (a web page's opening): 一、关于“学习贯彻…
QUOTED_CUT = re.compile(r"(?:关于|针对)[“\"](?P<text>[^”\"]{4,})$")
# 关于/针对 + the problem + 的问题: the problem's words, then the rest of the line (its measures).
ABOUT = re.compile(r"""(?P<lead>关于|针对)
    (?:(?:[省市区县]委)?巡[视察]组?(?:反馈|指出|发现)的?)?  # 针对巡察指出的…问题: the problem is what follows
    (?:(?P<q>[“"])(?P<quoted>.{2,300}?)[”"](?=(?:等)?(?:方面)?(?:存在)?的?问题)|(?P<text>.{2,200}?))
    (?:等)?(?:方面)?(?:存在)?的?问题
    (?=$|[。,;:]|的?整改(?:落实)?(?:进展)?(?:情况|$)|方面)""", re.X)
ASPECT = re.compile(r"(?P<text>.{2,80}?)方面(?:存在)?(?:的?问题)?[:。]?$")  # ……方面: the group of problems
MEASURE_LABEL = r"(?:整改(?:情况|措施|举措|进展|进度|结果|成效|落实情况)|完成情况|进展情况|落实情况)\s*[:]"
MEASURE_PREFIX = re.compile(rf"{MEASURE_LABEL}\s*")  # used with match(): at a line's start
MEASURE_INLINE = re.compile(rf"(?<=[。;])\s*{MEASURE_LABEL}")
# The label a notice puts before a problem it states: 问题: / 反馈问题: / 巡察指出的问题:
PROBLEM_LABEL = re.compile(r"^(?:(?:反馈|存在|具体|主要)?问题(?:描述|表现)?|巡[视察]组?(?:反馈|指出|发现)的?问题)\s*[:]\s*")
CLOSING = re.compile(r"(下一步|欢迎广大|如有意见|联系方式|联系电话)")
OUTLOOK = re.compile(r"下一步|今后|打算|努力方向")  # 三、今后整改工作打算: the outline of problems is over
SHORTCOMINGS = re.compile(r"(不足|问题|差距|短板)[^。]{0,6}[::]\s*(?=一是)")
LIST_ITEM = re.compile(r"([一二三四五六七八九十]+)是([^。]+)。")
# 巡察反馈“A、B、C”等三个方面: the aspects a preamble names, as many as it counts.
STATED_ASPECTS = re.compile(rf"(?:反馈|指出|发现|存在)[^。“”\"]{{0,12}}[“\"](?P<list>[^”\"]{{4,300}})[”\"]"
                            rf"等?(?P<n>[{CN}两]+|\d+)(?:个|大)方面")

# Words that state a shortcoming: the predicate of a problem (…不到位, …有差距, 未…, 存在…问题).
SHORTCOMING = re.compile(r"""
    不(?:到位|够|足|力|严|实|守|讲|按|执行|遵守|深|细|全|高|强|优|准|精|规范|健全|完善|彻底|充分|及时|明|扎实|有力|牢|紧|畅|善|佳
        |平衡|科学|合理|主动|积极|一致|匹配|适应|达标|严肃|得力|认真|重视|突出|顺畅|具体|清|当|快|大(?!力)|多|广
        |硬|持续|有效|落实|落地|健康|透明|公开|专业|深入|务实|正常|统一|完整|齐全|准确|合规|协调|经常|对称|均衡|稳|好)
  | 未(?![来必雨]|成年)[\u4e00-\u9fff] | 没有 | 缺(?:失|位|乏|少|项|口|漏|陷) | 欠缺 | 欠账
  | 有(?:差距|欠缺|偏差|短板|不足|漏洞|盲区|死角|缺陷|缺失|弱化)
  | 差距(?:较大|明显|大) | 短板(?:明显|突出) | 问题(?:突出|较多|多发|频发|仍然存在|依然存在|比较突出)
  | [较偏](?:弱|差|少|低|慢|软|窄) | 偏(?:多|高|大|重)
  | 弱化 | 淡化 | 虚化 | 泛化 | 边缘化 | 空心化 | 形式化 | 薄弱(?!环节|点|领域) | 滞后 | 缓慢 | 乏力 | 低下
  | 流于形式 | 走形式 | 走过场 | 停留在表面 | 浮于表面 | 形同虚设 | 打折扣 | 搞变通 | 宽松软 | 失之于宽 | 好人主义
  | 随意 | 混乱 | 松散 | 松懈 | 松弛 | 懈怠 | 涣散 | 违(?:规|纪|法|反) | 超标 | 超范围 | 屡查屡犯 | 屡改屡犯 | 屡禁不止
  | 存在[^,。;]{0,24}?(?:问题|现象|情况|隐患|风险|漏洞|短板|不足|差距|偏差|误区|习气)
  | 失职 | 失责 | 失察 | 失管 | 失控 | 失范 | 闲置 | 浪费 | 虚报 | 冒领 | 截留 | 挪用 | 侵占 | 不作为 | 慢作为 | 乱作为
  | 过(?:于|度|多|少|高|低|滥|宽|松|软) | 不降反增 | 不减反增 | 改变[^,。;]{0,12}用途 | 挪作他用 | 单一 | 面窄 | 空缺 | 空白
  | 习气(?:较重|浓厚) | 暮气 | 遗失
  | 有待(?:加强|提高|提升|改进|完善|健全) | 亟待 | 需(?:要)?进一步(?:加强|提高|提升|改进|完善|健全)
""", re.X)
# 针对巡视反馈的问题, 关于上述问题: words that point at problems named elsewhere, naming none.
REFERENCE = re.compile(r"巡[视察]|反馈|指出|发现|存在|突出|重点|上述|以上|这些|这类|此类|相关|有关|共性|个性|难点|堵点|具体|主要|各类|一系列")
# A heading that sets out to remedy something: 着力解决…问题, 严肃查处违规…, 补齐短板.
REMEDY = re.compile(rf"""^(?:[{CN}]是)?(?:切实|着力|坚决|全面|持续|深入|扎实|大力|集中|严肃|进一步|认真|重点|狠抓|及时)?
    (?:解决|整治|纠治|纠正|查处|清理|治理|整顿|防止|杜绝|遏制|严禁|避免|防范|减少|补齐|补强|弥补|破解|堵塞|堵住|查找
       |克服|消除|根治|扭转|化解|整改|针对|填补)""", re.X)
# A heading that tells a problem solved: “四风”问题得到有力纠治, 短板逐步补齐.
RESOLVED = re.compile(r"(?:问题|现象|短板|弱项|不足|差距|漏洞)[^,。;]{1,8}?"
                      r"(?:解决|整改|纠正|纠治|遏制|改善|扭转|弥补|补齐|破解|改进|整治|消除|堵塞)")
# Verbs that take a shortcoming as their object (查找不足, 正视问题, 补齐短板): no problem stated.
TAKES_SHORTCOMING = re.compile(r"查找|正视|直面|找准|找出|查摆|剖析|深挖|补齐|补足|补强|弥补|破解|解决|克服|消除|堵塞|扭转"
                               r"|纠正|纠治|查处|针对|聚焦|对照|防范|防止|杜绝|避免")
# A heading that states what was done: 加强组织领导, 健全制度, 以…为抓手.
MEASURE_START = re.compile(rf"""^(?:[{CN}]是)?(?:坚持|加强|强化|提高|提升|压实|压紧|健全|完善|建立|制定|修订|开展|组织|严格
    |深化|推进|推动|规范|优化|抓实|抓好|抓牢|狠抓|扎实|切实|深入|持续|全面|着力|注重|突出|筑牢|夯实|做好|做实|做细|增强|树立
    |召开|印发|明确|细化|统筹|凝聚|迅速|坚决|围绕|对照|结合|构建|创新|加大|加快|督促|认真|积极|主动|及时|立足|紧扣|专题|集中
    |全力|大力|用好|建好|管好|实行|实施|完成|已|通过|按照|根据|以|把|将|对|由|聚焦|落实|贯彻|学习|激发|助推|发挥|巩固|继续
    |进一步|铸牢|牢固|经常性|拓展|打造|探索|引导|建强|守牢|畅通|丰富|精简|压减|清退|收回|追缴|整合|调整|配齐|配强|选派|补充
    |广泛|推行|落细|压茬|倒排|逐项|逐一|梳理|排查|自查|摸排|举一反三|标本兼治|立行立改|建章立制|边查边改|即知即改)""", re.X)

# A sentence after a problem's that states what was done: 一是…, (1)…, 建立…
MEASURE_AFTER = re.compile(rf"""(?:[{CN}]是|\(?[{CN}\d]{{1,2}}\)|[①-⑳]|(?:已|先后|及时|立即|迅速)?
    (?:加强|强化|健全|完善|建立|制定|修订|开展|召开|印发|深化|推进|压实|明确|细化|精简|整合|补齐|出台|编制|成立|组织召开
       |组织开展|组织学习))""", re.X)

N = r"(\d+)"
TOTALS = [
    ("aspects", re.compile(rf"{N}个方面")),
    ("problems", re.compile(rf"{N}个问题")),
    ("specific_problems", re.compile(rf"{N}个具体问题")),
    ("completed", re.compile(rf"(?<!基本)(?:已)?完成整改{N}个|{N}个[^,。]{{0,6}}(?<!基本)已完成整改")),
    ("basically_completed", re.compile(rf"基本完成整改{N}个")),
]

PROBLEM, GROUP, MEASURE = "problem", "group", "measure"


def states_shortcoming(text: str) -> bool:
    """Whether a heading's words name a shortcoming (and do not set out to remedy one:
    解决…问题有差距 states one, 着力解决…问题 and 坚持问题导向,查找不足 do not)."""
    if REMEDY.match(text) and not _ends_with_shortcoming(text):
        return False
    for m in SHORTCOMING.finditer(text):
        clause = max(text.rfind(c, 0, m.start()) for c in ",。;:") + 1
        if not TAKES_SHORTCOMING.search(text, max(clause, m.start() - 4), m.start()) \
                and not (m.start() > clause and text[m.start() - 1] in "查找补堵破防纠"):
            return True  # not the object of 查找, 正视问题, 防止, 查 … (解决…问题有差距 states one)
    return False


def _ends_with_shortcoming(text: str) -> bool:
    """A clause ends with the shortcoming (…有差距, …不彻底问题): the genre's predicate."""
    return any(CLAUSE_END.match(text, m.end()) for m in SHORTCOMING.finditer(text))


CLAUSE_END = re.compile(r"(?:的?问题|方面)?(?:[,。;:、]|$)")


def _about(text: str, pos: int = 0) -> re.Match | None:
    """关于/针对 … 问题 whose words state a problem: quoted, or naming a shortcoming. The
    problem's words may run over a 。 only where each further sentence states one too
    (关于在“学懂”环节有偏差,理论学习不严不实。材料撰写把关不严…的问题)."""
    m = ABOUT.match(text, pos)
    if not m:
        return None
    if m.group("q"):
        return m if len(m.group("quoted")) >= 4 or states_shortcoming(m.group("quoted")) else None
    words = m.group("text")
    sentences = [s for s in re.split(r"[。;]", words) if s]
    # 关于少数领导干部不守政治规矩的问题。: a problem named, though in no word of shortcoming
    closed = m.end() == len(text) or text[m.end()] in "。:"
    named = closed and len(sentences) == 1 and len(words) >= 4 and not REFERENCE.search(words)
    if not (named or states_shortcoming(sentences[0])):
        return None
    if any(MEASURE_START.match(s) or not states_shortcoming(s) for s in sentences[1:]):
        return None
    return m


def kind_of(h: Heading) -> str | None:
    """PROBLEM when a heading states a problem (or names a group of them: 关于……方面),
    GROUP when it names an area only (在党的政治建设方面: a group of problems under a section
    of them), MEASURE when it states what was done, else None."""
    text = h.text
    if h.label.startswith("问题") or PROBLEM_LABEL.match(h.label) or PROBLEM_LABEL.match(text) or QUOTED_PROBLEM.match(text):
        return PROBLEM
    if MEASURE_PREFIX.match(text):
        return MEASURE  # (2)整改措施:…
    if _about(text):
        return PROBLEM
    title = h.title
    if (REMEDY.match(title) or RESOLVED.search(title)) and not _ends_with_shortcoming(title):
        return MEASURE
    if states_shortcoming(title):
        return PROBLEM
    if ASPECT.fullmatch(title):
        return GROUP
    if MEASURE_START.match(title):
        return MEASURE
    return None


@dataclass
class Node:
    heading: Heading
    level: float
    index: int  # of its line in the outline's lines
    end: int = 0  # index after the last line under it
    children: list[Node] = field(default_factory=list)


def _pseudo_heading(line: Line, following: Line | None) -> tuple[Heading, float] | None:
    """A line the notice does not number but that reads as a heading of problems: a
    problem stated with its label (问题:…), 关于/针对 … 问题, a short line of a problem
    followed by its 整改情况:…, or a group (关于……方面). The float orders a group
    (……方面) above the problems it holds."""
    text = line.text
    m = PROBLEM_LABEL.match(text)
    if m and len(text) > m.end():
        return Heading(0, None, m.group().strip(), line, line.start + m.end()), 0.6
    probe = Heading(0, None, "", line, line.start)
    if QUOTED_PROBLEM.match(text) or _about(text):
        return probe, 0.6
    if len(text) <= 42 and ASPECT.fullmatch(text) and (text.startswith(("关于", "在")) or states_shortcoming(text)):
        return probe, 0.4
    if following is not None and MEASURE_PREFIX.match(following.text) and not MEASURE_PREFIX.match(text) \
            and len(text) <= 400 and states_shortcoming(text.split("。")[0]):
        return probe, 0.6
    return None


def _restates(h: Heading, above: Heading) -> bool:
    """Whether an unnumbered 关于/针对 … 问题 line names the problem of the heading above it
    (most of its characters are that heading's), as measures do: 针对学习不深入的问题,…"""
    m = _about(h.text)
    if not m:
        return False
    words = m.group("quoted") or m.group("text")
    title = set(above.title)
    return sum(ch in title for ch in words) >= 0.7 * len(words)


def outline(ctx: Context) -> list[Node]:
    """The notice's headings as a tree, up to its closing (下一步, 欢迎…监督, contacts).
    An unnumbered heading sits under the numbered heading before it (and over the
    numbered ones after it, its measures): its level is that heading's plus a fraction."""
    numbered = {id(h.line): h for h in ctx.headings}
    lines = _outline_lines(ctx)
    roots: list[Node] = []
    stack: list[Node] = []

    def push(node: Node) -> None:
        while stack and stack[-1].level >= node.level:
            stack.pop().end = node.index
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)

    for i, line in enumerate(lines):
        h = numbered.get(id(line))
        if h is not None:
            push(Node(h, h.level, i))
            continue
        pseudo = _pseudo_heading(line, lines[i + 1] if i + 1 < len(lines) else None)
        if pseudo is None:
            continue
        h, offset = pseudo
        anchor = None  # the numbered heading above the unnumbered ones on the stack
        for node in stack:
            if node.heading.number is None:
                break
            anchor = node
        if anchor is not None and _restates(h, anchor.heading):
            continue  # under 1.学习不深入, 针对学习不深入的问题,… restates it: a measure
        push(Node(h, (anchor.level if anchor else 0) + offset, i))
    for node in stack:
        node.end = len(lines)
    return roots


def _outline_lines(ctx: Context) -> list[Line]:
    out = []
    top = {id(h.line): h for h in ctx.headings if h.level == 1}
    for line in ctx.lines:
        h = top.get(id(line))
        if CLOSING.match(line.text) or h is not None and OUTLOOK.search(h.title):
            break  # the outline is over: what follows is outlook, contacts, signature
        out.append(line)
    return out


def problems(ctx: Context) -> list[dict]:
    found = _outline_problems(ctx) or _shortcomings(ctx) or _stated_aspects(ctx)
    return framework.place(ctx, found)


def _outline_problems(ctx: Context) -> list[dict]:
    lines = _outline_lines(ctx)
    out: list[dict] = []
    last = ctx.lines[-1] if ctx.lines else None

    def problem(node: Node, ancestors: list[Node], rule: str, under_are_measures: bool, details=()) -> None:
        h = node.heading
        start, end, rest = _statement(h)
        if rule == "problems.quoted_heading_cut":
            start, end, rest = h.body_start + QUOTED_CUT.match(h.text).start("text"), h.line.end, h.line.end
        p = ctx.fact(start, end, rule, text=ctx.norm[start:end])
        p.update(number=h.number, label=h.label,
                 heading=_heading_fact(ancestors[0].heading) if ancestors else None,
                 subheading=_heading_fact(ancestors[-1].heading) if len(ancestors) > 1 else None)
        measures = []
        inline = _inline_measure(ctx, rest, h.line.end)
        if inline:
            measures.append(inline)
        numbered_under = {id(n.heading.line) for n in _descendants(node)}
        skipped = {id(line) for d in details for line in lines[d.index : d.end]}
        for line in lines[node.index + 1 : node.end]:
            if id(line) in skipped:
                continue
            if id(line) in numbered_under and under_are_measures:
                measures.append(_strip_measure(ctx, line, "problems.measure_subheading"))
            elif id(line) not in numbered_under:
                measures.append(_strip_measure(ctx, line, "problems.measure_paragraph"))
        p["measures"] = [m for m in measures if m["text"].strip()]  # 整改情况: alone on its line
        p["_parent"] = parent_of.get(id(node))
        out.append(p)

    def _lines_as_measures(node: Node) -> list[dict]:
        found = [_strip_measure(ctx, line, "problems.measure_subheading") for line in lines[node.index : node.end]]
        return [m for m in found if m["text"].strip()]

    def walk(node: Node, ancestors: list[Node], in_problems: bool) -> None:
        h = node.heading
        if QUOTED_PROBLEM.match(h.text):
            kinds = [kind_of(c.heading) for c in node.children]
            if kinds.count(PROBLEM) <= kinds.count(MEASURE):  # else a group: 关于“…”问题的整改情况 > 1.关于…的问题
                problem(node, ancestors, "problems.quoted_heading", True)
                return
            for child in node.children:
                walk(child, [*ancestors, node], True)
            return
        if last is not None and h.line is last and QUOTED_CUT.match(h.text) and not node.children:
            problem(node, ancestors, "problems.quoted_heading_cut", True)
            return
        kind = kind_of(h)
        section = not in_problems and kind != PROBLEM and bool(PROBLEM_SECTION.search(h.title))
        if not (in_problems or section or kind == PROBLEM):
            # a section of what was done may still hold problems; a group (在党的政治建设方面) heads them
            above = [node] if kind == GROUP else []
            for child in node.children:
                walk(child, above, False)
            return
        if not node.children:
            # a group with nothing under it (an area named, 在党的政治建设方面; an opening cut
            # after 一、…方面) states no problem
            empty_group = kind == GROUP or ASPECT.fullmatch(h.title) and node.end == node.index + 1
            if not (section or empty_group):
                problem(node, ancestors, "problems.outline_leaf", False)
            return
        kinds = [kind_of(c.heading) for c in node.children]
        if kind in (PROBLEM, GROUP) and PROBLEM not in kinds and GROUP not in kinds \
                and 2 * kinds.count(MEASURE) >= len(kinds):
            # the problem's words, then what was done (1.关于…的问题 (1)加强… (2)健全…)
            problem(node, ancestors, "problems.heading_with_measures", True)
            return
        details = [c for c, k in zip(node.children, kinds) if k == PROBLEM and PROBLEM_LABEL.match(c.heading.text)]
        if kind == PROBLEM and len(details) == 1 == kinds.count(PROBLEM) and MEASURE in kinds and not details[0].children:
            # 2.<the problem> (1)问题描述:<its detail> (2)整改措施:… (3)整改进展:…: a problem's fields
            problem(node, ancestors, "problems.heading_with_measures", True, details)
            return
        if kind not in (PROBLEM, GROUP) and all(k == MEASURE for k in kinds):
            return  # a list of what was done: no problem stated
        below = ancestors if section else [*ancestors, node]  # a section's title is no heading of its problems
        for child, child_kind in zip(node.children, kinds):
            if child_kind == MEASURE and not child.children and PROBLEM in kinds:
                # among problems, what was done: the problem before it answered ((1)问题:… (2)整改措施:…)
                if out and out[-1]["_parent"] is node:
                    out[-1]["measures"] += _lines_as_measures(child)
                continue
            walk(child, below, True)

    roots = outline(ctx)
    parent_of = {id(child): node for node in _descendants_of(roots) for child in node.children}
    for root in roots:
        walk(root, [], False)
    for p in out:
        del p["_parent"]
    return out


def _descendants_of(roots: list[Node]):
    for root in roots:
        yield root
        yield from _descendants(root)


def _descendants(node: Node):
    for child in node.children:
        yield child
        yield from _descendants(child)


def _statement(h: Heading) -> tuple[int, int, int]:
    """(start, end) of a problem's own words on its heading line, and where the rest of the
    line (its measures, if any) begins: 关于“X”问题的整改情况 → X; 关于X的问题。一是… → X;
    1.X。整改情况:… → X。; else the line after its marker (and label 问题:)."""
    text, base = h.text, h.body_start
    label = PROBLEM_LABEL.match(text)
    pos = label.end() if label else 0
    m = QUOTED_PROBLEM.match(text, pos)
    if m:
        return base + m.start("text"), base + m.end("text"), base + m.end()
    m = _about(text, pos)
    if m:
        group = "quoted" if m.group("q") else "text"
        return base + m.start(group), base + m.end(group), base + m.end()
    cut = MEASURE_INLINE.search(text, pos)
    if cut:
        return base + pos, base + cut.start(), base + cut.start()
    # 1.学习贯彻…不深入。一是建立…: a problem's sentence, then what was done on the same line
    for stop in re.finditer("。", text):
        after = text[stop.end():]
        if not after or states_shortcoming(after.split("。")[0]):
            break
        if MEASURE_AFTER.match(after):
            return base + pos, base + stop.end(), base + stop.end()
        break
    return base + pos, h.line.end, h.line.end


def _inline_measure(ctx: Context, start: int, end: int) -> dict | None:
    """What follows a problem's words on its line (…的问题。一是… / 整改情况:…)."""
    while start < end and ctx.norm[start] in "。,;:的 ":
        start += 1
    m = MEASURE_PREFIX.match(ctx.norm, start, end)
    if m:
        start = m.end()
    if end - start < 2:
        return None
    return ctx.fact(start, end, "problems.measure_inline", text=ctx.norm[start:end])


def _strip_measure(ctx: Context, line: Line, rule: str) -> dict:
    """A line of what was done, without its label: 整改情况:… → …, (2)整改措施:… → …"""
    m = MEASURE_PREFIX.match(line.text)
    start = line.start + (m.end() if m else 0)
    h = None if m else heading_of(line)
    if h is not None:
        m = MEASURE_PREFIX.match(ctx.norm, h.body_start, line.end)
        start = m.end() if m else start
    return ctx.fact(start, line.end, rule, text=ctx.norm[start : line.end])


def _heading_fact(h: Heading) -> str:
    return PROBLEM_LABEL.sub("", h.title).rstrip("。")


def _shortcomings(ctx: Context) -> list[dict]:
    norm = ctx.norm
    for m in SHORTCOMINGS.finditer(norm):
        out = []
        pos = m.end()
        while True:
            item = LIST_ITEM.match(norm, pos)
            if not item:
                break
            p = ctx.fact(item.start(2), item.end(2), "problems.shortcomings_list", text=item.group(2))
            p.update(number=cn_number(item.group(1)), label=item.group(1) + "是", heading=None, subheading=None, measures=[])
            out.append(p)
            pos = item.end()
        if out:
            return out
    return []


def _stated_aspects(ctx: Context) -> list[dict]:
    """巡察反馈“A、B、C”等三个方面: A, B and C, when there are as many as the text counts and
    each states a shortcoming (a notice whose opening names its problems so, and lists
    them later or not at all)."""
    for m in STATED_ASPECTS.finditer(ctx.norm):
        items = list(re.finditer(r"[^、]+", m.group("list")))
        if len(items) != cn_number(m.group("n")) or not all(states_shortcoming(i.group()) for i in items):
            continue
        base = m.start("list")
        out = []
        for item in items:
            p = ctx.fact(base + item.start(), base + item.end(), "problems.stated_aspects", text=item.group())
            p.update(number=None, label="", heading=None, subheading=None, measures=[])
            out.append(p)
        return out
    return []


def stated_totals(ctx: Context) -> dict | None:
    """Totals the notice states about its problems, with the date they were counted."""
    norm = ctx.norm
    found: dict = {}
    evidence = {}
    for line in ctx.lines:
        if "问题" not in line.text and "整改" not in line.text:
            continue
        for name, pattern in TOTALS:
            if name in found:
                continue
            m = pattern.search(norm, line.start, line.end)
            if m:
                number = next(g for g in m.groups() if g)
                found[name] = int(number)
                evidence[name] = ctx.evidence(m.start(), m.end(), f"stated_totals.{name}").as_dict()
        if found:
            as_of = re.search(r"(?:截止|截至|截止到|截至到)[^,。]{0,12}?日", norm[line.start : line.end])
            if as_of:
                dates = find_dates(norm, line.start + as_of.start(), line.start + as_of.end())
                reference = ctx.record.get("inspection") or {}
                ref = reference.get("feedback") or reference.get("end")
                resolved = resolve_sequence(dates, dt.date.fromisoformat(ref) if ref else None)
                if resolved and resolved[0]:
                    found["as_of"] = resolved[0].isoformat()
                    d = dates[0]
                    evidence["as_of"] = ctx.evidence(d.start, d.end, "stated_totals.as_of").as_dict()
            break
    if not found:
        return None
    found["evidence"] = evidence
    return found
