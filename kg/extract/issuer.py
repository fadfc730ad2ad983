"""The Party group that issues the notice, its organization and region.

Where the notice names itself only by a short form (市妇联党组), the short form is
expanded with the division the text talks about most (湘潭 in a Xiangtan notice), and
the division is placed in the hierarchy by the gazetteer (桑植县 → 湖南省 张家界市).
"""
from __future__ import annotations

import re

from kg import gazetteer
from kg.data import load
from kg.extract.context import Context

SUFFIX = r"(?:党组|党委)"
SIGNATURE = re.compile(rf"(中共)?(\S{{2,40}}?)({SUFFIX})$")
TITLE = re.compile(rf"(中共)?(\S{{2,40}}?)({SUFFIX})关于")
INSPECTED = re.compile(rf"对(中共)?([^,。;:\s]{{2,30}}?)({SUFFIX})(?:开展|进行)")
OPENING_SUBJECT = re.compile(rf"(?:(?:19|20)\d{{2}}年(?:以来|度)?[,]?)?(中共)?([^,。;:\s]{{2,20}}?)({SUFFIX})")


def find_name(ctx: Context) -> tuple[re.Match, str] | None:
    """The issuer's name as written: signature line, title, inspected body, opening subject."""
    for line in reversed(ctx.closing_lines[-4:]):
        m = SIGNATURE.match(ctx.norm, line.start, line.end)
        if m and m.end() == line.end:
            return m, "issuer.signature"
    if ctx.lines:
        first = ctx.lines[0]
        m = TITLE.match(ctx.norm, first.start, first.end)
        if m:
            return m, "issuer.title"
    start, end = ctx.opening()
    m = INSPECTED.search(ctx.norm, start, end)
    if m:
        return m, "issuer.inspected_body"
    m = OPENING_SUBJECT.match(ctx.norm, start, end)
    if m:
        return m, "issuer.opening_subject"
    return None


def expand_short_form(org: str, ctx: Context) -> tuple[str, gazetteer.Division, tuple[int, int]] | None:
    """市妇联 → 湘潭市妇女联合会, with the division it was placed in and its first mention."""
    data = load("organizations.json")
    level = data["level_prefixes"].get(org[:1])
    if level is None:
        return None
    found = gazetteer.most_mentioned(ctx.norm, level)
    if found is None:
        return None
    division, start, end = found
    rest = org[1:]
    template = data["short_forms"].get(rest)
    if template is None:
        for tmpl in data["short_forms"].values():
            if tmpl.replace("{place}", "") == rest:  # 省妇女联合会
                template = tmpl
                break
    full = template.format(place=division.name) if template else division.name + rest
    return full, division, (start, end)


def issuer(ctx: Context) -> dict | None:
    found = find_name(ctx)
    if found is None:
        return None
    m, rule = found
    org = m.group(2)
    name_start = m.start(1) if m.group(1) else m.start(2)
    evidence = {"name": ctx.evidence(name_start, m.end(3), rule).as_dict()}
    located = gazetteer.find_first(org)
    if located:
        division, s, e = located
        offset = m.start(2)
        evidence["region"] = ctx.evidence(offset + s, offset + e, "issuer.region_in_name").as_dict()
    else:
        expanded = expand_short_form(org, ctx)
        if expanded is None:
            return {
                "name": ("中共" if m.group(1) else "") + org + m.group(3),
                "organization": org,
                "region": None,
                "province": None,
                "level": None,
                "evidence": evidence,
            }
        org, division, (s, e) = expanded
        evidence["region"] = ctx.evidence(s, e, "issuer.region_most_mentioned").as_dict()
    return {
        "name": "中共" + org + m.group(3),
        "organization": org,
        "region": division.name,
        "province": division.province,
        "level": division.level,
        "evidence": evidence,
    }


def organization_forms(issuer_record: dict | None) -> list[str]:
    """Ways a notice names its own organization: 湘潭市妇女联合会, 湘潭市妇联, 市妇联 …"""
    if not issuer_record or not issuer_record.get("organization"):
        return []
    org = issuer_record["organization"]
    forms = {org, "中共" + org}
    region = issuer_record.get("region")
    if region:
        level_char = region[-1]
        for short, template in load("organizations.json")["short_forms"].items():
            if template.format(place=region) == org:
                forms |= {region + short, level_char + short}
        forms.add(org.replace(region, level_char, 1))
    return sorted(forms, key=len, reverse=True)
