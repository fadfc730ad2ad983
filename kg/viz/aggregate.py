"""Which regulations recur across organizations, counted before anything is drawn.

Counts come from ORGANIZATION_CITES (one row per organization, regulation and action,
made at build time), never from every citation, so a picture of 100 000 notices reads a
few hundred thousand rows. Every output of `kg viz recurrence` draws one Aggregate.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field

from kg import feeds
from kg.corpus import locate
from kg.explain import text_of
from kg.extract.layout import sentence_bounds

# One row per regulation and group: an organization lies in one region, so a
# regulation's groups add up to its organizations.
COUNTS = """
MATCH (o:Organization)-[:ORGANIZATION_CITES]->(r:Regulation)
WHERE r.kind <> 'not_regulation' AND ($kind = '' OR r.kind = $kind)
OPTIONAL MATCH (o)-[:LOCATED_IN]->(g:Region)
WITH r, o, coalesce(g.province, '') AS province, coalesce(g.level, '') AS level
WHERE $province = '' OR province = $province
RETURN r.key, r.title, r.kind, CASE WHEN $by = 'level' THEN level ELSE province END AS grp, count(DISTINCT o)
"""
CITING = """
MATCH (o:Organization)-[:ORGANIZATION_CITES]->(r:Regulation)
WHERE r.key IN $keys
OPTIONAL MATCH (o)-[:LOCATED_IN]->(g:Region)
WITH r, o, coalesce(g.province, '') AS province, coalesce(g.level, '') AS level
WHERE $province = '' OR province = $province
RETURN DISTINCT r.key, o.key, o.name, province, level
"""
EVIDENCE = "MATCH (r:Regulation) WHERE r.key IN $keys RETURN r.key, r.provenance"
SOURCES = """
MATCH (d:Document)-[:ISSUED_BY]->(:PartyGroup)-[:GROUP_OF]->(o:Organization)
WHERE d.key IN $docs
RETURN d.key, d.source, o.name, d.url
"""
BY = ("province", "level")
NO_GROUP = "—"  # organizations whose region the notices do not place
SAMPLES = 12  # citing sentences kept per regulation (the first notices by hash)


@dataclass
class Citation:
    organization: str
    source: str
    raw: str
    sentence: str  # the sentence around the citation, or the citation alone
    url: str | None = None  # the page the notice was read from: only an http(s) URL, the page links it


@dataclass
class Recurring:
    key: str
    title: str
    kind: str
    organizations: int = 0
    by_group: Counter = field(default_factory=Counter)  # group → organizations citing
    citing: list[int] = field(default_factory=list)  # indexes into Aggregate.organizations
    citations: list[Citation] = field(default_factory=list)  # the first SAMPLES


@dataclass
class Aggregate:
    by: str
    regulations: list[Recurring]  # most organizations first
    groups: list[str]  # the matrix's columns: most organizations first, NO_GROUP last
    organizations: list[dict]  # {name, group} of every organization citing a regulation shown
    recurring: int  # regulations meeting min_organizations, before `top` cut them
    options: dict  # what was asked: top, min_organizations, kind, province, by


def aggregate(store, by: str = "province", top: int = 30, min_organizations: int = 2,
              kind: str | None = None, province: str | None = None) -> Aggregate:
    """The `top` regulations cited by at least `min_organizations` organizations (of
    `kind`; by organizations of `province`), their organizations counted per `by`."""
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}")
    params = {"kind": kind or "", "province": province or "", "by": by}
    regs: dict[str, Recurring] = {}
    for reg_key, title, reg_kind, group, organizations in store.query(COUNTS, params)[1]:
        reg = regs.setdefault(reg_key, Recurring(reg_key, title, reg_kind))
        reg.by_group[group or NO_GROUP] += organizations
        reg.organizations += organizations
    kept = sorted((r for r in regs.values() if r.organizations >= min_organizations),
                  key=lambda r: (-r.organizations, r.title))
    shown = kept[:top]
    totals = Counter()
    for r in shown:
        totals.update(r.by_group)
    groups = sorted(totals, key=lambda g: (g == NO_GROUP, -totals[g], g))
    organizations = _citing(store, shown, by, province or "")
    _sample_citations(store, shown)
    options = {"top": top, "min_organizations": min_organizations, "kind": kind, "province": province, "by": by}
    return Aggregate(by, shown, groups, organizations, len(kept), options)


def _citing(store, regs: list[Recurring], by: str, province: str) -> list[dict]:
    """Fill each regulation's `citing`; the organizations, by name."""
    index: dict[str, int] = {}
    organizations: list[dict] = []
    by_key = {r.key: r for r in regs}
    rows = store.query(CITING, {"keys": list(by_key), "province": province})[1]
    for reg_key, org_key, name, org_province, level in sorted(rows, key=lambda row: (row[2] or "", row[1], row[0])):
        if org_key not in index:
            index[org_key] = len(organizations)
            organizations.append({"name": name, "group": (level if by == "level" else org_province) or NO_GROUP})
        by_key[reg_key].citing.append(index[org_key])
    return organizations


def _sample_citations(store, regs: list[Recurring]) -> None:
    """Each regulation's first SAMPLES citations (its evidence, by notice hash), with the
    sentence read from the notice where its file still holds the same bytes."""
    evidence = {key: json.loads(prov or "[]")[:SAMPLES]
                for key, prov in store.query(EVIDENCE, {"keys": [r.key for r in regs]})[1]}
    docs = sorted({e["doc"] for items in evidence.values() for e in items})
    sources = {doc: (source, org, url) for doc, source, org, url in store.query(SOURCES, {"docs": docs})[1]}
    info = store.build_info()
    roots = info.get("roots") or {}
    feeds.set_fields(info.get("fields") or {})  # a feed's items are read back as the build read them
    for reg in regs:
        for e in evidence.get(reg.key, []):
            source, org, url = sources.get(e["doc"], (None, "", None))
            start, end = e["span"]
            text = text_of(e["doc"], locate(source, roots) if source else None)
            raw = text[start:end] if text is not None else e["quote"]
            sentence = sentence_around(text, start, end) if text is not None else raw
            link = url if url and re.match(r"https?://", url, re.I) else None
            reg.citations.append(Citation(org or "", source or "", raw, sentence, link))


def sentence_around(text: str, start: int, end: int, limit: int = 160) -> str:
    """The sentence (between 。 or line breaks) that holds text[start:end]."""
    left, right = sentence_bounds(text, start, end)
    sentence = text[left:right].strip()
    if len(sentence) > limit:  # keep the citation in view
        lo = max(left, start - limit // 2)
        sentence = "…" + text[lo : lo + limit].strip() + "…"
    return sentence
