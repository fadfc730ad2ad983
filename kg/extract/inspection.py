"""The inspection the notice answers: team, committee, period and feedback date.

A team's name follows one grammar in many orders (kg/data/teams.json): committee +
optional 第N + optional field or modifier + kind + optional number + 组 — 市委第三巡察组,
市委巡察三组, 市委第一提级巡察组, 县委机动巡察组, 区委营商环境专项巡察组, 广州市区级交叉巡察第18组.
`team` is the name as the text writes it; `committee` is the division's committee at
that level above the inspected body (a 市委 team at a 桑植县 body belongs to 张家界市委).
Where no team is named, the committee and kind still come from the round or the
deployment (十一届市委第八轮第一批巡视, 县委组建3个巡察组). A date without a year takes
it from the dates before it; a period stated to the month (2022年5月至6月) is 2022-05.
What the rules see but cannot place becomes a warning with its span.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from kg import gazetteer
from kg.data import load
from kg.extract.context import Context
from kg.extract.dates import (BARE_YEAR, find_dates, find_month_range, find_range, resolve_sequence,
                              unreadable_dates)
from kg.extract.layout import cn_number, sentence_bounds

N = r"[一二三四五六七八九十\d]+"
COMMITTEE = r"(?P<committee>中央|(?P<level>自治区|自治州|自治县|省|市|县|区|州|旗|盟)(?:党)?委|(?P<tier>省|市|县|区)级)"
ROUND = re.compile(
    rf"(?:(?P<term>{N})届(?:中央|省|市|县|区|州)?委?)?第(?P<round>{N})轮(?:第{N}批)?(?:常规|专项|机动|提级)?(?:巡视|巡察)")
# 县委组建3个巡察组, 根据市委巡察工作统一部署, 十一届市委第八轮第一批巡视: committee and kind, no team.
# A committee before 关于 is the notice's author (龙华区委关于巡视整改…), so the gap never holds 关.
DEPLOYMENT = re.compile(rf"{COMMITTEE}[^,。;:\s关]{{0,12}}?(?P<kind>巡视|巡察)")
# 根据县委统一部署, …, 巡察组对…: the team is named by its kind alone, the committee by the deployment.
DEPLOYED_BY = re.compile(rf"(?:根据|按照){COMMITTEE}[^,。;:\s]{{0,10}}?部署")
# 巡察组, 第一巡视组: a team named without its committee (the deployment names it).
BARE_TEAM = re.compile(rf"(?<![委级项动叉\d一二三四五六七八九十第])(?:第(?P<num>{N}))?(?P<kind>巡视|巡察)组")
LEVELS = {"省": "province", "自治区": "province", "市": "city", "州": "city", "自治州": "city", "盟": "city",
          "县": "county", "区": "county", "旗": "county", "自治县": "county"}


@lru_cache(maxsize=1)
def team_pattern() -> re.Pattern:
    spec = load("teams.json")
    fields = "|".join(map(re.escape, spec["field_suffixes"]))
    modifiers = "|".join(map(re.escape, spec["modifiers"]))
    return re.compile(
        rf"""{COMMITTEE}
        (?:第(?P<num_a>{N}))?
        (?P<field>(?:[\u4e00-\u9fff]{{1,10}}?(?:{fields}))?(?:{modifiers})?)
        (?:第(?P<num_b>{N}))?
        (?P<kind>巡视|巡察)
        (?:第?(?P<num_c>{N}))?
        组""",
        re.VERBOSE,
    )


def _number(m: re.Match) -> int | None:
    raw = m.group("num_a") or m.group("num_b") or m.group("num_c")
    return cn_number(raw) if raw else None


def _specific(m: re.Match) -> bool:
    """Named by number or field (市委第三巡察组, 县委机动巡察组), not a bare 市委巡察组."""
    return _number(m) is not None or bool(m.group("field"))


def _named_place(norm: str, m: re.Match) -> tuple[gazetteer.Division | None, int] | None:
    """A division written right before the committee: 湘潭 in 湘潭市委第三巡察组, 广州市 in
    广州市区级交叉巡察第18组. Returns (the committee's division, where the name starts)."""
    if m.group("committee") == "中央":
        return None
    for k in range(8, 0, -1):
        start = m.start("committee") - k
        if start < 0:
            continue
        place = norm[start : m.start("committee")]
        if m.group("tier"):
            if gazetteer.lookup(place):
                return None, start  # the place of a cross-inspection team, not its committee
            continue
        div = gazetteer.lookup(place + m.group("level"))
        if div and LEVELS[m.group("level")] == div.level:
            return div, start
    return None


def _committee_division(level: str, issuer: dict | None) -> gazetteer.Division | None:
    """The division of `level` that contains the issuer's region."""
    div = gazetteer.lookup(issuer["region"], issuer["province"]) if issuer and issuer.get("region") else None
    order = ["county", "city", "province"]
    while div is not None:
        if div.level == level or (level == "city" and div.name in gazetteer.MUNICIPALITIES):
            return div
        if order.index(div.level) > order.index(level):
            return None  # the issuer sits above the committee's level
        div = div.parent()
    return None


def _committee(ctx: Context, m: re.Match) -> tuple[str | None, int, str]:
    """(committee, where the team's name starts, rule) for a team or deployment match."""
    if m.group("committee") == "中央":
        return "中共中央", m.start("committee"), "inspection.central_team"
    named = _named_place(ctx.norm, m)
    if m.group("tier"):
        return None, named[1] if named else m.start("committee"), "inspection.tier_team"
    suffix = m.group("committee")[len(m.group("level")):]  # 委, or 党委 in 自治区党委
    if named:
        division, start = named
        return division.name + suffix, start, "inspection.team_named_place"
    division = _committee_division(LEVELS[m.group("level")], ctx.record.get("issuer"))
    if division:
        return division.name + suffix, m.start("committee"), "inspection.team_issuer_region"
    return m.group("committee"), m.start("committee"), "inspection.team_unresolved"


def _find_team(ctx: Context) -> tuple[re.Match | None, str]:
    """The team the visit sentence names, or None when several are named there."""
    norm = ctx.norm
    pattern = team_pattern()
    start, end = ctx.preamble()
    found = list(pattern.finditer(norm, start, end))
    specific = [t for t in found if _specific(t)]
    if not found:
        elsewhere = next((t for t in pattern.finditer(norm) if _specific(t)), None)
        return elsewhere, "elsewhere"
    first = (specific or found)[0]
    s_start, s_end = sentence_bounds(norm, first.start())
    named_here = {_identity(t) for t in specific if s_start <= t.start() < s_end}
    if len(named_here) > 1:
        for t in specific:
            if s_start <= t.start() < s_end:
                ctx.warn(t.start(), t.end(), "inspection.several_teams",
                         "several teams named where the visit is told; no team chosen")
        return None, "several"
    return first, "preamble"


def _identity(m: re.Match) -> tuple:
    return m.group("committee"), m.group("field"), m.group("kind"), _number(m)


def inspection(ctx: Context) -> dict | None:
    norm = ctx.norm
    m, where = _find_team(ctx)
    evidence = {}
    if m is not None:
        committee, team_start, rule = _committee(ctx, m)
        if where == "elsewhere":
            rule += "_elsewhere"
        evidence["team"] = ctx.evidence(team_start, m.end(), rule).as_dict()
        team, number, kind, anchor = norm[team_start : m.end()], _number(m), m.group("kind"), m.start()
    elif where != "several" and (bare := _bare_team(ctx)) is not None:
        team_match, d = bare
        committee, start, rule = _committee(ctx, d)
        evidence["committee"] = ctx.evidence(start, d.end(), rule.replace("team", "deployed_by")).as_dict()
        evidence["team"] = ctx.evidence(team_match.start(), team_match.end(), "inspection.bare_team").as_dict()
        number = cn_number(team_match.group("num")) if team_match.group("num") else None
        team, kind, anchor = team_match.group(), team_match.group("kind"), team_match.start()
    else:
        d = _deployment(ctx)
        if d is None:
            return None
        committee, start, rule = _committee(ctx, d)
        evidence["committee"] = ctx.evidence(start, d.end(), rule.replace("team", "deployment")).as_dict()
        team, number, kind, anchor = None, None, d.group("kind"), d.start()
    if committee is None or rule.endswith("unresolved"):
        span = evidence.get("committee") or evidence["team"]  # where the committee is named
        ctx.warn(*span["span"], "inspection.committee_unplaced",
                 "the inspecting committee is not placed in a division")
    result = {
        "team": team,
        "committee": committee,
        "kind": kind,
        "team_number": number,
        "round": None,
        "start": None,
        "end": None,
        "feedback": None,
    }
    s_start, s_end = _visit_sentence(ctx, anchor)
    _read_round(ctx, result, evidence, s_start, s_end)
    reference = _read_period(ctx, result, evidence, s_start, s_end)
    feedback = _feedback(ctx, s_start, reference, evidence)
    if feedback:
        date, mention = feedback
        result["feedback"] = date.isoformat()
        evidence["feedback"] = ctx.evidence(mention.start, mention.end, "inspection.feedback_sentence").as_dict()
    result["evidence"] = evidence
    return result


def _bare_team(ctx: Context) -> tuple[re.Match, re.Match] | None:
    """巡察组 named without its committee, which the deployment sentence names."""
    start, end = ctx.preamble()
    team = BARE_TEAM.search(ctx.norm, start, end)
    if team is None:
        return None
    # The committee that formed the teams in the same sentence (县委组建3个巡察组), else the deployer.
    s_start, _ = sentence_bounds(ctx.norm, team.start())
    committee = DEPLOYMENT.search(ctx.norm, s_start, team.end()) or DEPLOYED_BY.search(ctx.norm, start, team.start())
    return (team, committee) if committee else None


def _first_match(ctx: Context, pattern: re.Pattern, spans: list[tuple[int, int]]) -> re.Match | None:
    """The first match of `pattern` in the first of `spans` that has one."""
    return next((m for start, end in spans if (m := pattern.search(ctx.norm, start, end))), None)


def _title_span(ctx: Context) -> list[tuple[int, int]]:
    return [tuple(ctx.record["title"]["span"])] if ctx.record.get("title") else []


def _deployment(ctx: Context) -> re.Match | None:
    """A committee and kind named without a team, in the preamble, else the title."""
    return _first_match(ctx, DEPLOYMENT, [ctx.preamble(), *_title_span(ctx)])


def _visit_sentence(ctx: Context, anchor: int) -> tuple[int, int]:
    """The sentence that tells the visit: the anchor's, or failing a period there, the
    first sentence of the preamble with a period and 巡视/巡察."""
    s_start, s_end = sentence_bounds(ctx.norm, anchor)
    if find_range(ctx.norm, s_start, s_end) or find_month_range(ctx.norm, s_start, s_end):
        return s_start, s_end
    start, end = ctx.preamble()
    pos = start
    while pos < end:
        a, b = sentence_bounds(ctx.norm, pos)
        if re.search("巡视|巡察", ctx.norm[a:b]) and (find_range(ctx.norm, a, b) or find_month_range(ctx.norm, a, b)):
            return a, b
        pos = b
    return s_start, s_end


def _read_round(ctx: Context, result: dict, evidence: dict, s_start: int, s_end: int) -> None:
    """第五轮 (and 七届) from the visit sentence, else the title, else the preamble."""
    r = _first_match(ctx, ROUND, [(s_start, s_end), *_title_span(ctx), ctx.preamble()])
    if r:
        result["round"] = cn_number(r.group("round"))
        evidence["round"] = ctx.evidence(r.start(), r.end(), "inspection.round").as_dict()
        if r.group("term"):
            result["term"] = cn_number(r.group("term"))


def _read_period(ctx: Context, result: dict, evidence: dict, s_start: int, s_end: int):
    """Start and end of the visit; returns the end date (the reference for later dates)."""
    norm = ctx.norm
    rng = find_range(norm, s_start, s_end)
    if rng:
        # A year stated alone before a year-less period is its year (2023年,…于10月11日至12月1日).
        years = [int(y.group("year")) for y in BARE_YEAR.finditer(norm, s_start, rng[0].start)]
        reference = dt.date(years[-1], 1, 1) if years and rng[0].year is None else None
        start_d, end_d = resolve_sequence(list(rng), reference)
        if start_d and end_d and start_d <= end_d:
            result["start"], result["end"] = start_d.isoformat(), end_d.isoformat()
            evidence["start"] = ctx.evidence(rng[0].start, rng[0].end, "inspection.period_range").as_dict()
            evidence["end"] = ctx.evidence(rng[1].start, rng[1].end, "inspection.period_range").as_dict()
            return end_d
        ctx.warn(rng[0].start, rng[1].end, "inspection.period_unplaced",
                 "a period whose year is not stated, or that ends before it starts")
        return None
    months = find_month_range(norm, s_start, s_end)
    if months:
        result["start"], result["end"] = months.first, months.last
        ev = ctx.evidence(months.start, months.end, "inspection.period_months").as_dict()
        evidence["start"] = evidence["end"] = ev
        return dt.date.fromisoformat(months.last + "-01")
    # 2023年10月11日起, … 开展了为期两个月的巡察: a period stated by its start only.
    for d in find_dates(norm, s_start, s_end):
        if re.match(r"\s*(?:起|开始)", norm[d.end : d.end + 3]) and (date := d.resolve(None)):
            result["start"] = date.isoformat()
            evidence["start"] = ctx.evidence(d.start, d.end, "inspection.period_start").as_dict()
            return date
    for a, b in unreadable_dates(norm, s_start, s_end):
        ctx.warn(a, b, "inspection.unreadable_date", "a date in the visit sentence that cannot be read")
    return None


def _feedback(ctx: Context, start: int, reference, evidence: dict):
    """The date of the first sentence from the visit's on that says 反馈."""
    norm = ctx.norm
    period = {e["span"][0] for k, e in evidence.items() if k in ("start", "end")}
    pos = start
    for _ in range(4):
        s_start, s_end = sentence_bounds(norm, pos)
        said = norm.find("反馈", s_start, s_end)
        if said >= 0:
            dates = [d for d in find_dates(norm, s_start, s_end) if d.start not in period]
            before = [d for d in dates if d.end <= said]
            after = [d for d in dates if d.start >= said]
            chosen = before[-1] if before else (after[0] if after else None)
            if chosen:
                date = chosen.resolve(reference)
                if date and (reference is None or date >= reference):
                    return date, chosen
                if date is None:
                    ctx.warn(chosen.start, chosen.end, "inspection.feedback_unplaced",
                             "a feedback date whose year is not stated")
                    return None
            for a, b in unreadable_dates(norm, s_start, s_end):
                ctx.warn(a, b, "inspection.unreadable_date", "a feedback date that cannot be read")
        if s_end >= len(norm):
            break
        pos = s_end
    return None
