"""Title, document type and publication date."""
from __future__ import annotations

import re

from kg.extract.context import Context
from kg.extract.dates import find_dates

TITLE_WORDS = re.compile(r"(通报|报告|公告|情况|公开|整改方案)$")
SIGNATURE_DATE = re.compile(
    r"^(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|(?:19|20)\d{2}-\d{1,2}-\d{1,2}"
    r"|[〇零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日)$")
HEADER_DATE = re.compile(r"^((?:19|20)\d{2}-\d{1,2}-\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s")


def title(ctx: Context) -> dict | None:
    """The first line when it reads as a title: short, no sentence punctuation."""
    for line in ctx.lines[:2]:
        t = line.text
        if HEADER_DATE.match(t):
            continue
        if len(t) <= 80 and "," not in t and not t.endswith("。") and TITLE_WORDS.search(t):
            return ctx.fact(line.start, line.end, "title.first_line", value=t)
        break
    return None


def doc_type(ctx: Context) -> dict:
    """rectification, annual_report or other, read from the title and opening."""
    title_fact = ctx.record.get("title")
    start, end = ctx.opening()
    probe = ((title_fact or {}).get("value") or "") + ctx.norm[start:end]
    if re.search(r"(巡视|巡察).{0,40}整改|整改.{0,20}(巡视|巡察)", probe):
        return {"value": "rectification", "rule": "doc_type.inspection_rectification"}
    if re.search(r"全面从严治党|党风廉政建设", probe) and re.search(r"(?:19|20)\d{2}年|年度|一年来", probe):
        return {"value": "annual_report", "rule": "doc_type.annual_party_discipline"}
    return {"value": "other", "rule": "doc_type.default"}


def published(ctx: Context) -> dict | None:
    """The date on its own line in the signature block, else a date-and-time header line.

    Never a date from the body: a notice without either has no publication date."""
    for line in reversed(ctx.closing_lines[-3:]):
        if SIGNATURE_DATE.match(line.text):
            date = _date_at(ctx, line.start, line.end)
            if date:
                return ctx.fact(line.start, line.end, "published.signature", value=date)
    for line in ctx.lines[:2]:
        m = HEADER_DATE.match(line.text)
        if m:
            date = _date_at(ctx, line.start, line.start + m.end(1))
            if date:
                return ctx.fact(line.start, line.start + m.end(1), "published.header_line", value=date)
    return None


def _date_at(ctx: Context, start: int, end: int) -> str | None:
    dates = find_dates(ctx.norm, start, end)
    if not dates:
        return None
    d = dates[0].resolve(None)
    return d.isoformat() if d else None

