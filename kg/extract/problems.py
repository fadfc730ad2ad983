"""The problems the inspection found, the heading each sits under, and what was done.

Three shapes occur:
- a section 二、巡察反馈问题整改情况 whose numbered leaves (1. / 一是 …) are problems,
  each followed by its rectification text (整改情况:…);
- top-level headings 一、关于“X”问题的整改情况, each a problem X whose sub-headings
  (一)(二)… are its measures;
- in annual reports, a paragraph of shortcomings: 还存在一些不足:一是…。二是…。
Stated totals ("14个问题38个具体问题,已完成整改35个") are read separately.
"""
from __future__ import annotations

import datetime as dt
import re

from kg.extract import framework
from kg.extract.context import Context
from kg.extract.dates import find_dates, resolve_sequence
from kg.extract.layout import Heading, Line, cn_number

PROBLEM_SECTION = re.compile(r"反馈.{0,8}(问题|意见).{0,10}整改|问题.{0,6}整改(落实)?(进展)?情况")
QUOTED_PROBLEM = re.compile(r"^关于[“\"](?P<text>.+?)[”\"](?:等)?问题的?整改(?:落实)?(?:进展)?情况")
MEASURE_PREFIX = re.compile(r"^(?:整改情况|整改措施|整改进展|整改结果)[::]\s*")
CLOSING = re.compile(r"(下一步|欢迎广大|如有意见|联系方式|联系电话)")
HEADING_PREFIX = re.compile(r"^(?:反馈问题|问题)[::]\s*")
SHORTCOMINGS = re.compile(r"(不足|问题|差距|短板)[^。]{0,6}[::]\s*(?=一是)")
LIST_ITEM = re.compile(r"([一二三四五六七八九十]+)是([^。]+)。")

N = r"(\d+)"
TOTALS = [
    ("aspects", re.compile(rf"{N}个方面")),
    ("problems", re.compile(rf"{N}个问题")),
    ("specific_problems", re.compile(rf"{N}个具体问题")),
    ("completed", re.compile(rf"(?<!基本)(?:已)?完成整改{N}个|{N}个[^,。]{{0,6}}(?<!基本)已完成整改")),
    ("basically_completed", re.compile(rf"基本完成整改{N}个")),
]


def _strip_measure(ctx: Context, line: Line, rule: str) -> dict:
    m = MEASURE_PREFIX.match(line.text)
    start = line.start + (m.end() if m else 0)
    return ctx.fact(start, line.end, rule, text=ctx.norm[start : line.end])


def _heading_fact(h: Heading) -> str:
    return HEADING_PREFIX.sub("", h.title).rstrip("。")


def problems(ctx: Context) -> list[dict]:
    sections = _sections(ctx)
    found = _quoted_problems(ctx, sections) or _section_problems(ctx, sections) or _shortcomings(ctx)
    return framework.place(ctx, found)


def _sections(ctx: Context) -> list[tuple[Heading, list[Line]]]:
    """Top-level (一、) headings with the lines under each."""
    top = {id(h.line): h for h in ctx.headings if h.level == 1}
    out: list[tuple[Heading, list[Line]]] = []
    for line in ctx.lines:
        if CLOSING.match(line.text):
            break  # the outline is over: what follows is outlook, contacts, signature
        h = top.get(id(line))
        if h:
            out.append((h, []))
        elif out:
            out[-1][1].append(line)
    return out


def _quoted_problems(ctx: Context, sections) -> list[dict]:
    out = []
    for h, body in sections:
        m = QUOTED_PROBLEM.match(h.text)
        if not m:
            continue
        start = h.body_start + m.start("text")
        problem = ctx.fact(start, h.body_start + m.end("text"), "problems.quoted_heading", text=m.group("text"))
        problem.update(number=h.number, label=h.label, heading=None, subheading=None)
        problem["measures"] = [_strip_measure(ctx, line, "problems.measure_subheading") for line in body]
        out.append(problem)
    return out


def _section_problems(ctx: Context, sections) -> list[dict]:
    by_line = {id(h.line): h for h in ctx.headings}
    out = []
    for top, body in sections:
        if not PROBLEM_SECTION.search(top.title):
            continue
        # Walk the outline: a heading with no deeper heading under it is a problem.
        path: list[Heading] = []
        current = None
        for line in body:
            h = by_line.get(id(line))
            if h is None:
                if current is not None:
                    current["measures"].append(_strip_measure(ctx, line, "problems.measure_paragraph"))
                continue
            while path and path[-1].level >= h.level:
                path.pop()
            if out and any(out[-1]["_heading"] is a for a in path):
                out.pop()  # it has a heading under it: a group, not a problem
            path.append(h)
            current = ctx.fact(h.body_start, h.line.end, "problems.outline_leaf", text=h.text)
            ancestors = path[:-1]
            current.update(
                number=h.number,
                label=h.label,
                heading=_heading_fact(ancestors[0]) if ancestors else None,
                subheading=_heading_fact(ancestors[-1]) if len(ancestors) > 1 else None,
                measures=[],
                _heading=h,
            )
            out.append(current)
    for p in out:
        del p["_heading"]
    return out


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
