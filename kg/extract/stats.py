"""Stated counts: 建立完善制度15项, 教育提醒4人, 召开党组会…15次, 吸纳从业人员16.5万人.

The label is the clause before the number (or after it, when the clause opens with the
number). Dates, ordinals and numbers inside titles are not counts.
"""
from __future__ import annotations

import bisect
import re
from decimal import Decimal

from kg.extract.context import Context

COUNT = re.compile(
    r"""(?<![\d.第])(?P<number>\d+(?:\.\d+)?)
        (?P<scale>万|亿)?
        (?P<approx>余|多)?
        (?P<unit>人次|场次|批次|万元|元|人|项|次|名|个|件|条|家|篇|场|册|期|笔|所|本|户|批|辑)
        (?![\d年月日])""",
    re.VERBOSE,
)
CLAUSE = re.compile(r"[,。;:!?、\n()“”]")
SCALES = {"万": 10_000, "亿": 100_000_000}


def statistics(ctx: Context) -> list[dict]:
    norm = ctx.norm
    titles = sorted((c["span"][0], c["span"][1]) for c in ctx.record.get("citations", []))
    starts = [s for s, _ in titles]
    out = []
    for m in COUNT.finditer(norm):
        i = bisect.bisect_right(starts, m.start()) - 1
        if i >= 0 and m.start() < titles[i][1]:
            continue  # a number inside a cited title
        if m.group("unit") == "个" and norm.startswith(("月", "工作日"), m.end()):
            continue
        value = Decimal(m.group("number")) * SCALES.get(m.group("scale") or "", 1)
        value = int(value) if value == value.to_integral_value() else float(value)
        label = _label(norm, m)
        if not label:
            continue
        fact = ctx.fact(m.start(), m.end(), "statistics.count_unit", label=label, value=value, unit=m.group("unit"))
        if m.group("approx"):
            fact["approximate"] = True
        out.append(fact)
    return out


def _label(norm: str, m: re.Match) -> str:
    breaks = list(CLAUSE.finditer(norm, max(0, m.start() - 30), m.start()))
    start = breaks[-1].end() if breaks else max(0, m.start() - 30)
    before = norm[start : m.start()].strip()
    if before:
        return before
    after = CLAUSE.search(norm, m.end(), m.end() + 30)
    return norm[m.end() : after.start() if after else m.end() + 30].strip()
