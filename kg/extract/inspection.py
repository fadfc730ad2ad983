"""The inspection the notice answers: team, committee, period and feedback date.

A team is named by its committee's level (市委第三巡察组); the committee is the
division at that level above the inspected body (a 市委 team at a 桑植县 body belongs
to 张家界市委). A date without a year takes it from the dates before it.
"""
from __future__ import annotations

import re

from kg import gazetteer
from kg.extract.context import Context
from kg.extract.dates import find_dates, find_range, resolve_sequence
from kg.extract.layout import cn_number, sentence_bounds

TEAM = re.compile(r"(?P<committee>中央|(?P<level>省|市|县|区|州|自治区|自治州)委)第(?P<num>[一二三四五六七八九十\d]+)(?P<kind>巡视|巡察)组")
ROUND = re.compile(r"(?:(?P<term>[一二三四五六七八九十\d]+)届(?:中央|省|市|县|区|州)?委?)?第(?P<round>[一二三四五六七八九十\d]+)轮(?:巡视|巡察)")
LEVELS = {"省": "province", "自治区": "province", "市": "city", "州": "city", "自治州": "city", "县": "county", "区": "county"}


def _named_place(norm: str, m: re.Match) -> tuple[gazetteer.Division, int] | None:
    """A division written right before the team's committee (湘潭 in 湘潭市委第三巡察组)."""
    if m.group("committee") == "中央":
        return None
    for k in range(8, 0, -1):
        start = m.start() - k
        if start < 0:
            continue
        div = gazetteer.lookup(norm[start : m.start()] + m.group("level"))
        if div and LEVELS[m.group("level")] == div.level:
            return div, start
    return None


def _committee_division(level: str, issuer: dict | None) -> gazetteer.Division | None:
    """The division of `level` that contains the issuer's region."""
    div = gazetteer.lookup(issuer["region"]) if issuer and issuer.get("region") else None
    order = ["county", "city", "province"]
    while div is not None:
        if div.level == level or (level == "city" and div.name in gazetteer.MUNICIPALITIES):
            return div
        if order.index(div.level) > order.index(level):
            return None  # the issuer sits above the committee's level
        div = div.parent()
    return None


def inspection(ctx: Context) -> dict | None:
    norm = ctx.norm
    # The opening paragraph tells the visit; a title may name the team too, without dates.
    opening = ctx.opening()
    teams = list(TEAM.finditer(norm, *opening))
    if len({t.group() for t in teams}) > 1:
        return None  # two teams named where the visit is told: ambiguous, not guessed
    m = teams[0] if teams else TEAM.search(norm)
    if m is None:
        return None
    evidence = {}
    team_start = m.start()
    named = _named_place(norm, m)
    if m.group("committee") == "中央":
        committee = "中共中央"
        rule = "inspection.central_team"
    elif named:
        division, team_start = named
        committee = division.name + "委"
        rule = "inspection.team_named_place"
    else:
        division = _committee_division(LEVELS[m.group("level")], ctx.record.get("issuer"))
        committee = division.name + "委" if division else m.group("committee")
        rule = "inspection.team_issuer_region" if division else "inspection.team_unresolved"
    team_name = (committee if committee != "中共中央" else "中央") + norm[m.start("committee") + len(m.group("committee")) : m.end()]
    evidence["team"] = ctx.evidence(team_start, m.end(), rule).as_dict()

    s_start, s_end = sentence_bounds(norm, m.start())
    result = {
        "team": team_name,
        "committee": committee,
        "kind": m.group("kind"),
        "team_number": cn_number(m.group("num")),
        "round": None,
        "start": None,
        "end": None,
        "feedback": None,
    }
    r = ROUND.search(norm, s_start, s_end)
    if r:
        result["round"] = cn_number(r.group("round"))
        evidence["round"] = ctx.evidence(r.start(), r.end(), "inspection.round").as_dict()
        if r.group("term"):
            result["term"] = cn_number(r.group("term"))

    rng = find_range(norm, s_start, s_end)
    reference = None
    if rng:
        start_d, end_d = resolve_sequence(list(rng))
        if start_d and end_d and start_d <= end_d:
            result["start"], result["end"] = start_d.isoformat(), end_d.isoformat()
            evidence["start"] = ctx.evidence(rng[0].start, rng[0].end, "inspection.period_range").as_dict()
            evidence["end"] = ctx.evidence(rng[1].start, rng[1].end, "inspection.period_range").as_dict()
            reference = end_d
    feedback = _feedback(ctx, s_start, rng, reference)
    if feedback:
        date, mention = feedback
        result["feedback"] = date.isoformat()
        evidence["feedback"] = ctx.evidence(mention.start, mention.end, "inspection.feedback_sentence").as_dict()
    result["evidence"] = evidence
    return result


def _feedback(ctx: Context, start: int, rng, reference):
    """The date of the first sentence from the team's on that says 反馈."""
    norm = ctx.norm
    range_starts = {d.start for d in rng} if rng else set()
    pos = start
    for _ in range(4):
        s_start, s_end = sentence_bounds(norm, pos)
        said = norm.find("反馈", s_start, s_end)
        if said >= 0:
            dates = [d for d in find_dates(norm, s_start, s_end) if d.start not in range_starts]
            before = [d for d in dates if d.end <= said]
            after = [d for d in dates if d.start >= said]
            chosen = before[-1] if before else (after[0] if after else None)
            if chosen:
                date = chosen.resolve(reference)
                if date and (reference is None or date >= reference):
                    return date, chosen
        if s_end >= len(norm):
            break
        pos = s_end
    return None
