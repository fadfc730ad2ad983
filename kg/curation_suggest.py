"""Candidate merges for a person to decide (kg curate suggest): entities whose names
differ only in what rarely tells two things apart. Suggestions, never applied."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass

from kg.curation import APART, split_from
from kg.data import load
from kg.normalize import normalize

REGULATIONS = ("MATCH (d:Document)-[:CITES]->(r:Regulation) WHERE r.scope = 'global' AND r.kind <> 'not_regulation' "
               "RETURN r.key, r.title, count(DISTINCT d), r.provenance")
ORGANIZATIONS = ("MATCH (d:Document)-[:ISSUED_BY]->(:PartyGroup)-[:GROUP_OF]->(o:Organization) "
                 "WHERE o.scope = 'global' RETURN o.key, o.name, count(DISTINCT d), o.provenance")
# What rarely tells two regulations apart: (试行), (2019年修订), 2018年版, 修订, punctuation.
BRACKETS = re.compile(r"\([^()]*\)")
YEARS = re.compile(r"(?:19|20)\d{2}年(?:版|修订版?|修正)?")
NOISE = re.compile(r"[\s·・、,.;:\"“”'‘’《》<>〈〉\-—]|修订|修正")


@dataclass(frozen=True)
class Suggestion:
    label: str
    keep: str
    merge: str
    keep_docs: int
    merge_docs: int
    reason: str
    evidence: str  # how each side is written in a notice: 《…(试行)》 ↔ 《…》


def regulation_core(title: str) -> tuple[str, list[str]]:
    """The title with what rarely tells regulations apart removed, and what was removed."""
    t = normalize(title)
    why = []
    full = load("regulations.json")["known_short_forms"].get(t)
    if full:
        return full, [f"short form {t}"]
    for pattern, reason in ((BRACKETS, "brackets"), (YEARS, "year"), (NOISE, "punctuation or 修订")):
        stripped = pattern.sub("", t)
        if stripped != t:
            why.append(reason)
            t = stripped
    return t, why


def organization_core(name: str) -> tuple[str, list[str]]:
    name = name.removeprefix("中共")
    for short, template in load("organizations.json")["short_forms"].items():
        place = template.replace("{place}", "")
        if name.endswith(short) and not name.endswith(place):
            return template.format(place=name[: -len(short)]), [f"short name {short}"]
    return name, []


def suggestions(store, decided=()) -> list[Suggestion]:
    done = {(d.label, d.key, d.other) for d in decided} | {(d.label, d.other, d.key) for d in decided}
    out = []
    for label, query, core in (("Regulation", REGULATIONS, regulation_core),
                               ("Organization", ORGANIZATIONS, organization_core)):
        groups: dict[str, list[tuple[str, str, int, list[str], str]]] = defaultdict(list)
        for key, name, docs, prov in store.query(query)[1]:
            c, why = core(name)
            quotes = [e["quote"] for e in json.loads(prov or "[]")]
            groups[c].append((key, name, docs, why, quotes[0] if quotes else name))
        for members in groups.values():
            if len(members) < 2:
                continue
            # Keep one not kept apart, the one most notices cite, on a tie the plainest name.
            members.sort(key=lambda m: (APART in m[0], -m[2], len(m[3]), len(m[1]), m[0]))
            keep = members[0]
            for other in members[1:]:
                if (label, keep[0], other[0]) in done or split_from(keep[0]) == split_from(other[0]):
                    continue  # decided, or kept apart by a decision
                reason = ", ".join(sorted(set(keep[3]) | set(other[3]))) or "same name"
                out.append(Suggestion(label, keep[0], other[0], keep[2], other[2], f"equal but for {reason}",
                                      f"{keep[4]} ↔ {other[4]}"))
    return sorted(out, key=lambda s: (s.label, -(s.keep_docs + s.merge_docs), s.keep))
