"""What the pictures show, read from a store with the same Cypher every backend runs."""
from __future__ import annotations

from dataclasses import dataclass, field

from kg.extract.layout import sentence_bounds
from kg.explain import text_of

CITATIONS = """
MATCH (o:Organization)<-[:GROUP_OF]-(:PartyGroup)<-[:ISSUED_BY]-(d:Document)-[c:CITES]->(r:Regulation)
WHERE r.kind <> 'not_regulation'
OPTIONAL MATCH (o)-[:LOCATED_IN]->(g:Region)
RETURN o.key, o.name, g.name, g.province, r.key, r.title, r.kind, d.key, d.source, c.span_start, c.span_end, c.raw, c.action
ORDER BY r.key, d.source, c.span_start
"""


@dataclass
class Citation:
    organization: str
    source: str
    raw: str
    action: str | None
    sentence: str  # the sentence around the citation, or the citation alone


@dataclass
class Regulation:
    key: str
    title: str
    kind: str
    organizations: set[str] = field(default_factory=set)
    citations: list[Citation] = field(default_factory=list)


@dataclass
class Recurrence:
    organizations: dict[str, dict]  # key → {name, region, province}
    regulations: dict[str, Regulation]

    def recurring(self, min_organizations: int = 2) -> list[Regulation]:
        regs = [r for r in self.regulations.values() if len(r.organizations) >= min_organizations]
        return sorted(regs, key=lambda r: (-len(r.organizations), r.title))


def sentence_around(text: str, start: int, end: int, limit: int = 160) -> str:
    """The sentence (between 。 or line breaks) that holds text[start:end]."""
    left, right = sentence_bounds(text, start, end)
    sentence = text[left:right].strip()
    if len(sentence) > limit:  # keep the citation in view
        lo = max(left, start - limit // 2)
        sentence = "…" + text[lo : lo + limit].strip() + "…"
    return sentence


def recurrence(store) -> Recurrence:
    _, rows = store.query(CITATIONS)
    orgs: dict[str, dict] = {}
    regs: dict[str, Regulation] = {}
    for org_key, org_name, region, province, reg_key, title, kind, doc, source, start, end, raw, action in rows:
        orgs.setdefault(org_key, {"name": org_name, "region": region or "", "province": province or ""})
        reg = regs.setdefault(reg_key, Regulation(reg_key, title, kind))
        reg.organizations.add(org_key)
        text = text_of(doc, source)
        sentence = sentence_around(text, start, end) if text is not None and text[start:end] == raw else raw
        reg.citations.append(Citation(org_name, source, raw, action, sentence))
    return Recurrence(orgs, regs)
