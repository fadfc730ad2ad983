"""The inspection framework a problem falls under, as its heading states it.

Inspection reports group their findings by the framework of their time and kind (the
四个落实 of 巡视 since 2020, the 三个聚焦 of 巡察 since 2018, the 六个围绕、一个加强 of
2018–19, the 党的领导弱化 / 党的建设缺失 / 全面从严治党不力 of 2016–17, the 四个着力 before:
kg/data/framework.json). Notices keep that grouping in their
headings, paraphrased (贯彻落实党中央决策部署有差距, 党组核心作用发挥不充分,基层党建工作还有欠缺).

Each problem gets the item its heading, else its subheading, states (rule
framework.heading_states / framework.subheading_states); failing that, the item whose
topics the heading is about (framework.heading_topic …: 财经纪律执行不严格 sits under 群众身边
腐败问题和不正之风 in a 巡察). A problem with no heading above it is itself a top-level
finding (一、抓作风建设从紧从严不够): its own words play the heading (framework.text_*).
Without a kind of inspection there is no framework (an annual report's shortcomings),
and a heading that names none of the items stays unplaced: never guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.data import load
from kg.extract.context import Context

UNPLACED = "unplaced"


@dataclass(frozen=True)
class Item:
    id: str
    framework: str
    states: re.Pattern
    topics: re.Pattern


@dataclass(frozen=True)
class Framework:
    id: str
    kinds: tuple[str, ...]
    start: int
    end: int | None
    items: tuple[Item, ...]


@lru_cache(maxsize=1)
def frameworks() -> tuple[Framework, ...]:
    out = []
    for f in load("framework.json")["frameworks"]:
        items = tuple(Item(i["id"], f["id"], re.compile("|".join(f"(?:{p})" for p in i["states"])),
                           re.compile("|".join(f"(?:{p})" for p in i["topics"]))) for i in f["items"])
        out.append(Framework(f["id"], tuple(f["kinds"]), f["from"], f["to"], items))
    return tuple(out)


def applicable(kind: str | None, year: int | None) -> Framework | None:
    """The framework of a kind of inspection in a year; before the first or with no year,
    the nearest (the latest when the year is not known)."""
    mine = [f for f in frameworks() if kind in f.kinds]
    if not mine:
        return None
    if year is None:
        return max(mine, key=lambda f: f.start)
    for f in sorted(mine, key=lambda f: -f.start):
        if f.start <= year and (f.end is None or year <= f.end):
            return f
    # years from the nearest end of its period (an open period has no far end: 2010 is
    # nearer 2013–2015 than 2020–)
    return min(mine, key=lambda f: f.start - year if year < f.start else year - (f.end if f.end is not None else year))


def _first(pattern_of, items: tuple[Item, ...], text: str) -> tuple[Item, re.Match] | None:
    """The item whose pattern matches earliest in `text` (the longest match on a tie):
    a heading names its main point first (聚焦群众身边腐败问题和不正之风…,部分重点领域监管…)."""
    best = None
    for item in items:
        m = pattern_of(item).search(text)
        if m and (best is None or (m.start(), -len(m.group())) < (best[1].start(), -len(best[1].group()))):
            best = (item, m)
    return best


def _year(ctx: Context) -> int | None:
    inspection = ctx.record.get("inspection") or {}
    published = ctx.record.get("published") or {}
    date = inspection.get("start") or (published.get("value") if isinstance(published, dict) else published)
    return int(date[:4]) if date else None


def place(ctx: Context, problems: list[dict]) -> list[dict]:
    """Give every problem its `framework`: {framework, item, span, raw, rule}, or item
    "unplaced" with the reason as its rule (and no span)."""
    inspection = ctx.record.get("inspection") or {}
    framework = applicable(inspection.get("kind"), _year(ctx))
    for p in problems:
        if framework is None:
            p["framework"] = {"framework": None, "item": UNPLACED, "rule": "framework.no_inspection"}
            continue
        p["framework"] = _place_one(ctx, framework, p) or {
            "framework": framework.id, "item": UNPLACED, "rule": "framework.unplaced"}
    return problems


def _probes(ctx: Context, p: dict) -> list[tuple[str, int, str]]:
    """(where, offset, text) of the heading, the subheading, or the problem's own words.
    Headings are found as written before the problem (the nearest such line)."""
    out = []
    before = p["span"][0]
    for where in ("subheading", "heading"):  # the subheading is nearer: look it up first
        text = p.get(where)
        if text:
            at = ctx.norm.rfind(text, 0, before)
            if at >= 0:
                out.append((where, at, text))
                before = at
    out.reverse()  # heading first, then subheading
    if not out:
        out.append(("text", p["span"][0], ctx.norm[p["span"][0]:p["span"][1]]))
    return out


def _place_one(ctx: Context, framework: Framework, p: dict) -> dict | None:
    probes = _probes(ctx, p)
    for kind, pattern_of in (("states", lambda i: i.states), ("topic", lambda i: i.topics)):
        for where, at, text in probes:
            found = _first(pattern_of, framework.items, text)
            if found:
                item, m = found
                return {"framework": framework.id, "item": item.id,
                        **ctx.evidence(at + m.start(), at + m.end(), f"framework.{where}_{kind}").as_dict()}
    return None
