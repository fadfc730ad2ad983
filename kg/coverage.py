"""Where extraction is blind: how many notices yielded each fact, which did not, and
what the rules saw but could not place (the records' warnings).

Facts of the inspection are counted over the notices that answer one (doc_type
rectification); the others over every notice. A notice that lacks a fact most notices
have is listed by name: that is where a user looks first.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

MOST = 0.5  # a fact at least this share of notices has is "expected"


def _inspection(key: str) -> Callable[[dict], object]:
    return lambda r: (r.get("inspection") or {}).get(key)


def _issuer(key: str) -> Callable[[dict], object]:
    return lambda r: (r.get("issuer") or {}).get(key)


# (fact, read it from a record, counted over rectification notices only)
FACTS: list[tuple[str, Callable[[dict], object], bool]] = [
    ("issuer", _issuer("name"), False),
    ("organization", _issuer("organization"), False),
    ("region", _issuer("region"), False),
    ("published", lambda r: r.get("published"), False),
    ("team", _inspection("team"), True),
    ("committee", _inspection("committee"), True),
    ("start", _inspection("start"), True),
    ("end", _inspection("end"), True),
    ("feedback", _inspection("feedback"), True),
    ("problems", lambda r: r.get("problems"), False),
    ("citations", lambda r: r.get("citations"), False),
]


@dataclass
class FactCoverage:
    fact: str
    found: int = 0
    of: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.found / self.of if self.of else 0.0

    @property
    def expected(self) -> bool:
        return self.of > 0 and self.share >= MOST


@dataclass
class Coverage:
    notices: int = 0
    facts: dict[str, FactCoverage] = field(default_factory=lambda: {f: FactCoverage(f) for f, _, _ in FACTS})
    warnings: Counter = field(default_factory=Counter)  # rule → count
    warned_notices: int = 0
    # Problems placed in an item of their inspection framework (kg.extract.framework), by rule.
    problems: int = 0
    placed: int = 0
    framework_rules: Counter = field(default_factory=Counter)
    # names kept to their notice because they are not a full identity: kind → [(file, name)]
    unresolved: dict[str, list[tuple[str, str]]] = field(
        default_factory=lambda: {"organization": [], "committee": [], "short title": []})
    # kg.copies: the files that are one notice, as kg build groups them (the first names it)
    copies: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # source → [(copy, similarity %)]

    def add(self, record: dict) -> None:
        self.notices += 1
        rectification = record.get("doc_type") == "rectification"
        for name, read, inspection_only in FACTS:
            if inspection_only and not rectification:
                continue
            fc = self.facts[name]
            fc.of += 1
            if read(record):
                fc.found += 1
            else:
                fc.missing.append(record.get("source", "?"))
        self._add_unresolved(record)
        for p in record.get("problems") or []:
            f = p.get("framework") or {"item": "unplaced", "rule": "framework.unplaced"}
            self.problems += 1
            self.placed += f["item"] != "unplaced"
            self.framework_rules[f["rule"]] += 1
        warnings = record.get("warnings") or []
        self.warnings.update(w["rule"] for w in warnings)
        self.warned_notices += bool(warnings)

    def _add_unresolved(self, record: dict) -> None:
        from kg.data import load
        from kg.resolve import committee_resolved, organization_resolved

        source = record.get("source", "?")
        issuer = record.get("issuer")
        if issuer and not organization_resolved(issuer):
            self.unresolved["organization"].append((source, issuer["organization"]))
        committee = (record.get("inspection") or {}).get("committee")
        if committee and not committee_resolved(committee):
            self.unresolved["committee"].append((source, committee))
        generic = load("regulations.json")["generic_short_forms"]
        for title in sorted({c["title"] for c in record.get("citations") or []
                             if not c["alias_of"] and c["title"] in generic}):
            self.unresolved["short title"].append((source, title))

    def as_dict(self) -> dict:
        return {
            "notices": self.notices,
            "facts": [{"fact": f.fact, "found": f.found, "of": f.of, "share": round(f.share, 3),
                       "missing": f.missing if f.expected else []} for f in self.facts.values()],
            "warnings": dict(sorted(self.warnings.items())),
            "notices_with_warnings": self.warned_notices,
            "copies": [{"notice": first, "copies": [{"source": c, "similarity": sim} for c, sim in found]}
                       for first, found in self.copies.items()],
            "framework": {"problems": self.problems, "placed": self.placed,
                          "share": round(self.placed / self.problems, 3) if self.problems else 0.0,
                          "rules": dict(sorted(self.framework_rules.items()))},
            "unresolved": {kind: [{"source": s, "name": n} for s, n in found] for kind, found in self.unresolved.items()},
        }


def coverage(records: Iterable[dict]) -> Coverage:
    result = Coverage()
    for record in records:
        result.add(record)
    return result


def coverage_grouped(signed: Iterable[tuple[dict, object]], curation=None) -> Coverage:
    """coverage() of (record, kg.copies.Source) pairs, every file counted, with the files
    kg build would keep as copies of one notice (curation's different-notices applied)."""
    from kg.copies import Grouping, percent

    grouping = Grouping(curation)
    first_source: dict[str, str] = {}
    result = Coverage()
    for record, src in signed:
        result.add(record)
        doc, sim, first = grouping.place(record["sha256"], src)
        if first:
            first_source[doc] = src.source
        else:
            result.copies.setdefault(first_source[doc], []).append((src.source, percent(sim)))
    return result
