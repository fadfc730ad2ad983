"""Title, document type and publication date.

A title is a short line without a comma among the page furniture before the opening
sentence (a scraped page puts breadcrumbs and a site name above it); a title broken
over two lines is joined. The publication date is read where notices and the pages
that carry them state it: a date alone on a line of the signature block, a labelled
header date (`发布时间:2021-09-30`, `发布日期:`, `日期:`), a date with a clock time
(`2025-06-17 09:00`), or a date in brackets after the title. Dates labelled as
something else (`更新时间`, a site's `今天是…` banner) are not publication dates.
"""
from __future__ import annotations

import re
from functools import lru_cache

from kg.data import load
from kg.extract.context import Context
from kg.extract.dates import find_dates

TITLE_WORDS = re.compile(r"(通报|报告|公告|情况|公开|整改方案|通知|决定)$")
CLOCK = re.compile(r"\s*\d{1,2}:\d{2}(?::\d{2})?")
NAVIGATION = re.compile(r"当前位置|所在的?位置|现在的位置|首页\s*>|>\s*\S+\s*>|浏览|字号|分享|打印|今天是")


@lru_cache(maxsize=1)
def _labels() -> tuple[re.Pattern, re.Pattern]:
    spec = load("header.json")
    published = re.compile("(?:" + "|".join(map(re.escape, spec["published_labels"])) + r")\s*[::]?\s*$")
    other = re.compile("(?:" + "|".join(map(re.escape, spec["other_date_labels"])) + r")\s*[::]?\s*$")
    return published, other


# A title that names who writes, or says 关于 what: a page's section label or a reposting
# site's own line above the title (通知公告, 【转载】巡察整改情况通报) names neither.
NAMES_SOMEONE = re.compile(r"关于|党组|党委|党工委|委员会|[省市县区州旗]委|政府|[局厅办院署部]|集团|公司|联合会|妇联|工会|"
                           r"团委|协会|大学|学院|学校|医院|银行|中心")


def title(ctx: Context) -> dict | None:
    """The title line among the header lines (joined with its second half if broken): the
    first that names someone, else the first at all."""
    found = list(_titles(ctx))
    return next((fact for fact in found if NAMES_SOMEONE.search(fact["value"])), found[0] if found else None)


def _titles(ctx: Context):
    lines = ctx.header_lines or ctx.lines[:1]
    for i, line in enumerate(lines):
        t = line.text
        if NAVIGATION.search(t) or "," in t or t.endswith("。") or len(t) > 90 or _only_dates(ctx, line):
            continue
        end, dated = ctx.split_trailing_date(line)  # …的通报 (2024-07-26): the date is not the title's
        if dated:
            t = ctx.norm[line.start : end]
        if TITLE_WORDS.search(t) or "关于" in t:
            following = lines[i + 1] if i + 1 < len(lines) else None
            # 沧源…党组关于第十四届 / 县委机动巡察整改进展情况的通报
            if following and not TITLE_WORDS.search(t) and TITLE_WORDS.search(following.text) \
                    and len(t) + len(following.text) <= 90 and "," not in following.text:
                yield ctx.fact(line.start, following.end, "title.two_lines", value=t + following.text)
            # 中共上海市闵行区委员会 / 关于十二届市委第二轮巡视…的通报
            elif i > 0 and t.startswith("关于") and _is_name_line(lines[i - 1].text):
                prev = lines[i - 1]
                yield ctx.fact(prev.start, end, "title.two_lines", value=prev.text + t)
            else:
                yield ctx.fact(line.start, end, "title.header_line", value=t)


def _lone_date(ctx: Context, start: int, end: int):
    """The date mention that is all of norm[start:end] but brackets and spaces, if any:
    2024年8月20日, 2022.06.08, (2024-07-26), 二〇二四年八月二十日."""
    dates = find_dates(ctx.norm, start, end)
    if len(dates) != 1:
        return None
    d = dates[0]
    rest = ctx.norm[start : d.start] + ctx.norm[d.end : end]
    return d if re.fullmatch(r"[\s()]*", rest) else None


def _is_name_line(text: str) -> bool:
    return len(text) <= 30 and bool(re.search(r"(党组|党委|党工委|委员会|[省市县区州旗]委)$", text))


def _only_dates(ctx: Context, line) -> bool:
    """A header line made of dates, times, sources and labels (not a title)."""
    return bool(find_dates(ctx.norm, line.start, line.end)) and ("来源" in line.text or CLOCK.search(line.text)
                                                                 or ":" in line.text)


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
    """The signature date, else a labelled, clocked or bracketed header date.

    Never a date from the body: a notice without any of these has no publication date."""
    for line in reversed(ctx.closing_lines[-3:]):
        mention = _lone_date(ctx, line.start, line.end)
        date = mention.resolve(None) if mention else None
        if date:
            return ctx.fact(line.start, line.end, "published.signature", value=date.isoformat())
        end, trailing = ctx.split_trailing_date(line)  # 中共××局党组 2023年12月20日
        if trailing and _is_name_line(ctx.norm[line.start : end]) and (date := trailing.resolve(None)):
            return ctx.fact(trailing.start, trailing.end, "published.signature_line", value=date.isoformat())
    return _header_date(ctx)


def _header_date(ctx: Context) -> dict | None:
    published_label, other_label = _labels()
    title_fact = ctx.record.get("title")
    found: list[tuple[int, dict]] = []  # (preference, fact)
    for line in ctx.header_lines[:12]:
        trailing = ctx.split_trailing_date(line)[1]  # per line, not per date on it
        alone = _lone_date(ctx, line.start, line.end) is not None
        for d in find_dates(ctx.norm, line.start, line.end):
            date = d.resolve(None)
            if date is None:
                continue
            before = ctx.norm[max(line.start, d.start - 8) : d.start]
            after = ctx.norm[d.end : line.end]
            if other_label.search(before):
                continue  # 更新时间, 今天是: a date, but not this notice's
            if published_label.search(before):
                found.append((0, ctx.fact(d.start, d.end, "published.header_label", value=date.isoformat())))
            elif CLOCK.match(after):
                found.append((1, ctx.fact(d.start, d.end, "published.header_clock", value=date.isoformat())))
            elif title_fact and title_fact["span"][1] <= d.start < line.end and trailing == d:
                found.append((2, ctx.fact(d.start, d.end, "published.title_date", value=date.isoformat())))
            elif alone or (d.start == line.start and after[:1].isspace()):
                # a date alone on its line, or opening a header line (2021-09-30  来源:…)
                found.append((3, ctx.fact(d.start, d.end, "published.header_line", value=date.isoformat())))
    if not found:
        return None
    return min(found, key=lambda f: (f[0], f[1]["span"][0]))[1]
