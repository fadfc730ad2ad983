"""China's administrative divisions (kg/data/divisions.json, made from jionlp's offline
gazetteer by kg/data/divisions_from_jionlp.py).

Answers two questions: which division does a name denote (桑植县 → 湖南省 张家界市
桑植县), and which divisions does a text mention most (to expand 市妇联 in a notice
that talks about 湘潭 throughout).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from kg.data import load

MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}
STREET_SUFFIXES = {"路", "街", "巷", "道"}


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
                return lookup(self.city, self.province)
            return lookup(self.province)
        if self.level == "city":
            return lookup(self.province)
        return None


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, list[Division]], dict[str, str], Names, dict[tuple[str, str], Division]]:
    tree = load("divisions.json")
    full: dict[str, list[Division]] = {}  # a name → every division that holds it (城中区: 西宁, 柳州)
    alias: dict[str, str] = {}
    within: dict[tuple[str, str], Division] = {}  # (parent, name or alias) → division: 西宁市 城中区

    def add(name, short, div):
        # For aliases the first (highest-level) holder keeps it: a province outranks a city
        # of the same alias (吉林). Full names keep every holder.
        full.setdefault(name, []).append(div)
        for s in [short] if isinstance(short, str) else short or []:
            if len(s) >= 2:
                alias.setdefault(s, name)

    for prov, pdata in tree.items():
        add(prov, pdata["alias"], Division(prov, prov, None, None))
        for city, cdata in pdata["cities"].items():
            if city != prov:
                add(city, cdata["alias"], Division(city, prov, city, None))
                within.setdefault((prov, city), Division(city, prov, city, None))
            for county in cdata["counties"]:
                add(county, None, Division(county, prov, city, county))
                within.setdefault((city, county), Division(county, prov, city, county))
    return full, alias, Names(set(full) | set(alias)), within


class Names:
    """Finds division names in text: leftmost, then longest, never overlapping. One
    regex of all 3 700 names makes re try its first characters' alternatives one by one
    at every position; a regex per first character, chosen by a dict, is 6 × faster."""

    def __init__(self, words: set[str]):
        rests: dict[str, set[str]] = {}
        for word in words:
            rests.setdefault(word[0], set()).add(word[1:])
        self._rest = {first: re.compile(_trie_regex(rest)) for first, rest in rests.items()}
        self._whole = {first for first, rest in rests.items() if "" in rest}  # one-character names
        self._first = re.compile("[" + "".join(re.escape(c) for c in sorted(rests)) + "]")

    def match(self, text: str, pos: int) -> tuple[int, int] | None:
        """The longest name that starts at `pos`, as (pos, end)."""
        rest = self._rest.get(text[pos : pos + 1])
        m = rest.match(text, pos + 1) if rest else None
        if m is None or (m.end() == pos + 1 and text[pos] not in self._whole):
            return None
        return pos, m.end()

    def finditer(self, text: str):
        """(start, end) of each name."""
        pos = 0
        while first := self._first.search(text, pos):
            span = self.match(text, first.start())
            if span is None:
                pos = first.start() + 1
            else:
                yield span
                pos = span[1]


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


def lookup(name: str, province: str | None = None) -> Division | None:
    """The division with this full name or alias (湘潭市, 湘潭, 桑植县, 天津), within
    `province` if given. A name several divisions hold (城中区 in 西宁 and in 柳州) is
    None: it is placed only in context (see most_specific), never guessed."""
    full, alias, _, _ = _tables()
    holders = full.get(name) or full.get(alias.get(name, "")) or []
    if province:
        holders = [d for d in holders if d.province == province]
    return holders[0] if len(holders) == 1 else None


def unique_names() -> dict[str, Division]:
    """Every full name exactly one division holds."""
    full, _, _, _ = _tables()
    return {name: holders[0] for name, holders in full.items() if len(holders) == 1}


def is_name(name: str) -> bool:
    """Whether some division holds this name (even when several do)."""
    full, alias, _, _ = _tables()
    return name in full or name in alias


def find_first(text: str) -> tuple[Division, int, int] | None:
    """The first division named in `text` (full names preferred over aliases)."""
    for mention in _mentions(text):
        return mention
    return None


def _mentions(text: str):
    """(division, start, end) for each name in `text` that denotes one division, leaving out
    names inside street names (湖湘西路 is no mention of 湘西)."""
    _, _, names, _ = _tables()
    for start, end in names.finditer(text):
        if text[end : end + 1] in STREET_SUFFIXES or text[end : end + 2] == "大道":
            continue
        div = lookup(text[start:end])
        if div is not None:
            yield div, start, end


def most_mentioned(text: str, level: str) -> tuple[Division, int, int] | None:
    """The division of `level` the text names most often, with its first mention."""
    counts: Counter[str] = Counter()
    first: dict[str, tuple[int, int]] = {}
    for div, start, end in _mentions(text):
        while div.level != level and (up := div.parent()) is not None and not (
                level == "city" and div.name in MUNICIPALITIES):
            div = up  # 岳塘区 is a mention of 湘潭市 when a city is asked for
        # A municipality (天津) is the answer for both a 省 and a 市 level prefix.
        fits = div.level == level or (level == "city" and div.name in MUNICIPALITIES)
        if fits:
            counts[div.name] += 1
            first.setdefault(div.name, (start, end))
    if not counts:
        return None
    name, _ = counts.most_common(1)[0]
    return lookup(name), *first[name]


def most_specific(text: str) -> Division | None:
    """The lowest division in the chain of names `text` starts with (深圳市罗湖区 → 罗湖区;
    广州市南沙新区… → 广州市): names must follow one another without a gap."""
    _, _, names, within = _tables()
    found, pos = None, 0
    while span := names.match(text, pos):
        name = text[span[0] : span[1]]
        div = within.get((found.name, name)) if found else lookup(name)
        if div is None:
            break
        found, pos = div, span[1]
    return found


def placed_in_text(name: str, text: str) -> Division | None:
    """A name several divisions hold, placed by where the text writes it under its parent
    (龙华区 after 深圳市 in 对深圳市龙华区进行了巡视)."""
    pos = text.find(name)
    while pos >= 0:
        for k in range(8, 1, -1):
            if pos - k >= 0:
                div = most_specific(text[pos - k : pos + len(name)])
                if div and div.name == name:
                    return div
        pos = text.find(name, pos + 1)
    return None
