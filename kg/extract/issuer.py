"""The Party organization that issues the notice, the organization it leads, and its region.

Issuers are Party groups and Party committees of organizations (…党组, …党委, …党工委)
or Party committees of divisions (中共深圳市罗湖区委, 中共上海市普陀区委员会, 中共…镇委员会).
They are named in the signature line, the title, the sentence that says whom the team
inspected (对…党组开展巡察; a deictic 对我局党组 sends us to the full name elsewhere in
the text) or the opening subject.

Where the notice names itself only by a short form (市妇联党组), the short form is
expanded with the division the text talks about most (湘潭 in a Xiangtan notice), and
the division is placed in the hierarchy by the gazetteer (桑植县 → 湖南省 张家界市).
"""
from __future__ import annotations

import re

from kg import gazetteer
from kg.data import load
from kg.extract.context import Context

# A division's Party committee: 罗湖区委, 普陀区委员会, 宜城市委, 某某镇委员会.
DIVISION = r"\S{1,30}?(?:自治区|自治州|自治县|省|市|县|区|州|旗|盟|镇|乡|街道)"
COMMITTEE = rf"(?P<place>{DIVISION})(?P<csuffix>委员会|委)(?!员)"
GROUP = r"(?P<org>\S{2,40}?)(?:\((?:简称|以下简称)[^()]{1,20}\))?(?P<gsuffix>党组|党委|党工委)"
NAME = rf"(?P<cpc>中共)?(?:{COMMITTEE}|{GROUP})"
SIGNATURE = re.compile(rf"{NAME}$")
TITLE = re.compile(rf"{NAME}\s*关于")
# 中共湖南省建设投资集团有限责任公司委员会: an organization's Party committee by its formal name.
ORG_COMMITTEE = r"(?P<cpc>中共)(?P<org>\S{2,40}?)(?P<gsuffix>委员会)"
ORG_SIGNATURE = re.compile(rf"{ORG_COMMITTEE}$")
ORG_TITLE = re.compile(rf"{ORG_COMMITTEE}\s*关于")
INSPECTED = re.compile(
    r"对(?P<cpc>中共)?(?P<org>[^,。;:\s]{1,30}?)(?:\((?:简称|以下简称)[^()]{1,20}\))?(?P<gsuffix>党组|党委|党工委)"
    r"(?:\([^()]{1,40}\))?(?:开展|进行)")
RECIPIENT = re.compile(r"向(?P<cpc>中共)?(?P<place>[^,。;:\s向]{1,30}?(?:省|市|县|区|州|旗))(?P<csuffix>委员会|委)(?=反馈)")
FULL_NAME = re.compile(r"(?P<cpc>中共)(?P<org>[^,。;:\s“”\"]{2,40}?)(?P<gsuffix>党组|党委|党工委)")
OPENING_SUBJECT = re.compile(
    r"(?:(?:19|20)\d{2}年(?:以来|度)?[,]?)?(?P<cpc>中共)?(?P<org>[^,。;:\s]{2,20}?)(?P<gsuffix>党组|党委)")


def find_name(ctx: Context) -> tuple[re.Match, str] | None:
    """The issuer's name as written, and the rule that found it."""
    for line in reversed(ctx.closing_lines[-4:]):
        end, _ = ctx.split_trailing_date(line)  # a name, possibly followed by its date
        for pattern in (SIGNATURE, ORG_SIGNATURE):
            m = pattern.match(ctx.norm, line.start, end)
            if m and m.end() == end and _plausible(m):
                return m, "issuer.signature"
    title = ctx.record.get("title")
    if title:
        for pattern in (TITLE, ORG_TITLE):
            m = pattern.match(ctx.norm, *title["span"])
            if m and _plausible(m):
                return m, "issuer.title"
    start, end = ctx.preamble()
    m = INSPECTED.search(ctx.norm, start, end)
    if m and not _deictic(m.group("org")):
        return m, "issuer.inspected_body"
    if m:  # 对我局党组: the full name is written elsewhere (中共广州市…分局党组)
        full = next((f for f in FULL_NAME.finditer(ctx.norm) if gazetteer.find_first(f.group("org"))), None)
        if full:
            return full, "issuer.full_name_in_text"
    m = RECIPIENT.search(ctx.norm, start, end)
    if m and _plausible(m):
        return m, "issuer.feedback_recipient"
    start, end = ctx.opening()
    m = OPENING_SUBJECT.match(ctx.norm, start, end)
    if m and not _deictic(m.group("org")):
        return m, "issuer.opening_subject"
    return None


def _deictic(org: str) -> bool:
    """我局, 本单位, 局: the text points at itself instead of naming it."""
    return org.startswith(tuple(load("organizations.json")["deictic_prefixes"])) or len(org) < 2


def _plausible(m: re.Match) -> bool:
    """A committee name must be a division's (罗湖区委), not any word ending in 委员会."""
    if m.groupdict().get("place") is None:
        return True
    place = m.group("place")
    return gazetteer.is_name(place) or _place_division(place) is not None or place.endswith(("镇", "乡", "街道"))


def _place_division(place: str) -> gazetteer.Division | None:
    """The most specific division a place name spells out (深圳市罗湖区 → 罗湖区)."""
    return gazetteer.lookup(place) or gazetteer.most_specific(place)


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
    groups = m.groupdict()
    cpc = "中共" if groups.get("cpc") else ""
    name_start = m.start("cpc") if groups.get("cpc") else m.start("place" if groups.get("place") else "org")
    name_end = m.end("csuffix") if groups.get("place") else m.end("gsuffix")
    evidence = {"name": ctx.evidence(name_start, name_end, rule).as_dict()}
    if groups.get("place"):
        return _committee_issuer(ctx, m, cpc, evidence)
    org, suffix = m.group("org"), m.group("gsuffix")
    located = gazetteer.find_first(org)
    if located:
        division, s, e = located
        evidence["region"] = ctx.evidence(m.start("org") + s, m.start("org") + e, "issuer.region_in_name").as_dict()
    else:
        expanded = expand_short_form(org, ctx)
        if expanded is None:
            return {"name": cpc + org + suffix, "organization": org, "region": None, "province": None,
                    "level": None, "evidence": evidence}
        org, division, (s, e) = expanded
        evidence["region"] = ctx.evidence(s, e, "issuer.region_most_mentioned").as_dict()
    return {
        "name": "中共" + org + suffix,
        "organization": org,
        "region": division.name,
        "province": division.province,
        "level": division.level,
        "evidence": evidence,
    }


def _committee_issuer(ctx: Context, m: re.Match, cpc: str, evidence: dict) -> dict:
    """中共深圳市罗湖区委: the committee of 罗湖区, whose organization is 中共深圳市罗湖区委员会."""
    place = m.group("place")
    division = _place_division(place) or gazetteer.placed_in_text(place, ctx.norm)
    name = ctx.norm[m.start("cpc") if m.group("cpc") else m.start("place") : m.end("csuffix")]
    if division:
        evidence["region"] = ctx.evidence(m.start("place"), m.end("place"), "issuer.region_in_name").as_dict()
    return {
        "name": name,
        "organization": "中共" + place + "委员会",
        "region": division.name if division else None,
        "province": division.province if division else None,
        "level": division.level if division else None,
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
