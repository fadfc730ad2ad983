"""China's administrative divisions, from jionlp's offline gazetteer.

Answers two questions: which division does a name denote (桑植县 → 湖南省 张家界市
桑植县), and which divisions does a text mention most (to expand 市妇联 in a notice
that talks about 湘潭 throughout).
"""
from __future__ import annotations

import contextlib
import io
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}


@dataclass(frozen=True)
class Division:
    name: str  # full name: 湘潭市
    province: str
    city: str | None
    county: str | None

    @property
    def level(self) -> str:
        """province, city or county. A municipality (直辖市) is provincial-level."""
        if self.county:
            return "county"
        if self.city and self.city != self.province:
            return "city"
        return "province"

    def parent(self) -> Division | None:
        """The division one level up (county → city, city → province)."""
        if self.level == "county":
            if self.city and self.city != self.province:
                return lookup(self.city)
            return lookup(self.province)
        if self.level == "city":
            return lookup(self.province)
        return None


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, Division], dict[str, str], re.Pattern]:
    with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner on import
        import jionlp

        tree = jionlp.china_location_loader()
    full: dict[str, Division] = {}
    alias: dict[str, str] = {}

    def add(name, short, div):
        # The first (highest-level) holder of a name keeps it: 吉林省 vs 吉林市 differ in
        # full names anyway; for aliases a province outranks a city of the same alias.
        full.setdefault(name, div)
        for s in [short] if isinstance(short, str) else short or []:
            if len(s) >= 2:
                alias.setdefault(s, name)

    for prov, pdata in tree.items():
        add(prov, pdata.get("_alias"), Division(prov, prov, None, None))
        for city, cdata in pdata.items():
            if city.startswith("_"):
                continue
            if city != prov:
                add(city, cdata.get("_alias"), Division(city, prov, city, None))
            for county in cdata:
                if county.startswith("_"):
                    continue
                add(county, None, Division(county, prov, city, county))
    pattern = re.compile(_trie_regex(set(full) | set(alias)))
    return full, alias, pattern


def _trie_regex(words: set[str]) -> str:
    """One regex for many literal words, factored by shared prefixes and preferring the
    longest match (re tries alternatives in order; a flat alternation of thousands of
    words is slow)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return build(trie)


def lookup(name: str) -> Division | None:
    """The division with this full name or alias (湘潭市, 湘潭, 桑植县, 天津)."""
    full, alias, _ = _tables()
    return full.get(name) or full.get(alias.get(name, ""))


def find_first(text: str) -> tuple[Division, int, int] | None:
    """The first division named in `text` (full names preferred over aliases)."""
    full, alias, pattern = _tables()
    for m in pattern.finditer(text):
        div = lookup(m.group())
        if div:
            return div, m.start(), m.end()
    return None


def most_mentioned(text: str, level: str) -> tuple[Division, int, int] | None:
    """The division of `level` the text names most often, with its first mention."""
    _, _, pattern = _tables()
    counts: Counter[str] = Counter()
    first: dict[str, tuple[int, int]] = {}
    for m in pattern.finditer(text):
        div = lookup(m.group())
        if div is None:
            continue
        # A municipality (天津) is the answer for both a 省 and a 市 level prefix.
        fits = div.level == level or (level == "city" and div.name in MUNICIPALITIES)
        if fits:
            counts[div.name] += 1
            first.setdefault(div.name, m.span())
    if not counts:
        return None
    name, _ = counts.most_common(1)[0]
    return lookup(name), *first[name]
