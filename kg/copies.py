"""Copies of one notice: the same text published on several sites, in other encodings
or scripts, with other page furniture, a line more or a paragraph less.

A copy is recognised by its main text: the notice from its first sentence (the page's
header lines dropped, kg.extract.context) to its last line before the source and editor
lines sites append, in the simplified half-width view (kg.normalize), without
whitespace or punctuation. Its character shingles give a MinHash signature (made in the
worker); the main process judges it against the notices so far (CopyIndex) and takes
the most similar notice whose estimated Jaccard reaches THRESHOLD and whose guard agrees.
The guard is what the record says about who published and which inspection: notices
made from one template (other organizations, other dates) read alike but are different
notices, so a known difference there always keeps them apart.

datasketch is imported here only.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

# Chosen from bench/copies.py (README, "Copies"), which measured: the six forms of
# bench/copy_forms.py made of the 27 real notices (5 seeds, 22 dev openings), each asked of
# an index holding those and 1 000 notices bench/make_corpus.py made from the seeds; and
# every pair of different notices (351 real, 526 500 with a generated one) under this
# rule, thresholds 0.50-0.95, 64 and 128 permutations. With the guard, no pair of
# different notices is grouped at any of them (none the guard lets through reaches even
# 0.2); without it, 2 233 to 98 937 are. At 0.55 and 128 permutations 1 of 162 copies is
# missed (a dev opening that lost 40 % of its text), the fewest measured; 64 permutations
# miss one more by estimation noise. Nothing measured bounds the threshold from below: no
# two different notices of one issuer and one inspection were in the corpus.
THRESHOLD = 0.55
STRICT = 0.98  # where the guards share no evident fact, only nearly the same text is a copy
HEAD = 16  # signature values compared first, to rule out what cannot reach STRICT
NUM_PERM = 128
SHINGLE = 5  # characters; shorter shingles make unrelated notices' boilerplate overlap
SEED = 1
SCHEME = "affine32"  # datasketch 2's default, named: signatures kept in a store must stay comparable
# The guard: the issuer placed in a division (a full identity), the issuer as written when
# not placed (市妇联: every city has one), the team as written (市委第三巡察组 too), the
# inspection's dates. Any of them stated by both and different keeps two texts apart;
# only a full identity or a date stated alike by both is evidence that they are one.
GUARD_FIELDS = ("organization", "unplaced_organization", "team", "start", "end", "feedback")
EVIDENT = (True, False, False, True, True, True)
# And the titles cited: a copy cites the same, or fewer where it lost a paragraph; two
# notices that each cite a title the other does not are two notices (one template, two
# organizations' own rules).


@dataclass
class Source:
    """One copy as read: what its Copy node says, its signature and its guard."""
    source: str
    sha256: str
    encoding: str | None
    media_type: str | None
    published: str | None
    signature: bytes  # NUM_PERM uint64 hash values
    guard: tuple  # GUARD_FIELDS from the record (None where not stated)
    url: str | None = None
    fetched: str | None = None


NOT_ALNUM = re.compile(r"[\W_]+")  # what str.isalnum() refuses (\w is isalnum() and "_"), at C speed


class Place(NamedTuple):
    """Where a source stands among the copies."""
    doc: str  # the notice it carries (its Document key)
    similarity: float  # to that notice's first source
    first: bool  # it is the source the notice's Document names


def main_text(text: str) -> str:
    """What two copies of a notice share: its body, simplified, letters and digits only."""
    from kg.extract import layout
    from kg.extract.context import HEADER_LINES, SOURCE_LINE
    from kg.normalize import normalize

    norm = normalize(text)
    lines = layout.lines(norm)
    first = next((i for i, line in enumerate(lines[:HEADER_LINES])
                  if len(line.text) > 40 and ("," in line.text or "。" in line.text) and " > " not in line.text), 0)
    last = len(lines)
    while last > first + 1 and SOURCE_LINE.match(lines[last - 1].text):
        last -= 1  # 来源/编辑/责任编辑 lines a site appends
    if not lines:
        return ""
    body = norm[lines[first].start: lines[last - 1].end]
    return NOT_ALNUM.sub("", body)


def signature(text: str, num_perm: int = NUM_PERM, shingle: int = SHINGLE) -> bytes:
    """The text's MinHash signature: what datasketch's MinHash (scheme SCHEME, seed SEED)
    holds after update_batch of shingle_hashes with an identity hashfunc (tested), in one
    numpy expression instead of its Python loop over every shingle."""
    a, b = _permutations(num_perm)
    hv = _fmix32(shingle_hashes(text, shingle).astype(np.uint32))
    # One permutation per row, computed in place and reduced along the row: a third of
    # the time of the (shingles × permutations) array with temporaries, reduced by column.
    phv = np.multiply(a, hv)
    phv += b
    return phv.min(axis=1).astype(np.uint64).tobytes()


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's a and b (uint32) as columns."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME).permutations
    return a.reshape(-1, 1), b.reshape(-1, 1)


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, which datasketch applies to each value first."""
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


def shingle_hashes(text: str, shingle: int = SHINGLE) -> np.ndarray:
    """The 32-bit hashes of the text's `shingle`-character shingles, in numpy: a
    hash call per shingle (datasketch's SHA-1) cost 9 ms a notice, a third of its build.
    A polynomial over the code points is enough, as datasketch mixes each value
    (MurmurHash3's finalizer) before its permutations."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = max(1, len(codes) - shingle + 1)  # a text shorter than a shingle is one shingle
    h = np.zeros(n, dtype=np.uint64)
    for k in range(min(shingle, len(codes))):
        h = h * np.uint64(0x100000001B3) + codes[k:k + n]
    return (h ^ (h >> np.uint64(32))) & np.uint64(0xFFFFFFFF)  # repeats change no minimum: not removed



def guard(record: dict) -> tuple:
    from kg.resolve import organization_resolved

    issuer = record.get("issuer") or {}
    inspection = record.get("inspection") or {}
    org = (issuer.get("curation") or {}).get("key") or issuer.get("organization")
    placed = bool(org) and (bool(issuer.get("curation")) or organization_resolved(issuer))
    titles = sorted({c["title"] for c in record.get("citations") or [] if c.get("title")})
    return (org if placed else None, None if placed else org, *(inspection.get(f) for f in GUARD_FIELDS[2:]),
            tuple(titles))


def source_of(text: str | None, record: dict) -> Source:
    """The Source of a record read from `text` (in the worker; None: no signature)."""
    return Source(record["source"], record["sha256"], record.get("encoding"), record.get("media_type"),
                  record.get("published"), b"" if text is None else signature(main_text(text)), guard(record),
                  record.get("url"), record.get("fetched"))


def agreeing(a: tuple, b: tuple) -> int | None:
    """How many EVIDENT guard facts both state alike; None if one they both state differs."""
    cited_a, cited_b = set(a[-1]), set(b[-1])
    if cited_a - cited_b and cited_b - cited_a:
        return None
    same = 0
    for x, y, evident in zip(a, b, EVIDENT):
        if x is not None and y is not None:
            if x != y:
                return None
            same += evident
    return same


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(np.frombuffer(a, np.uint64) == np.frombuffer(b, np.uint64))) / (len(a) // 8)


class CopyIndex:
    """The notices so far, to find what a new source is a copy of.

    Blocked by issuer, judged in numpy: a source whose guard places its issuer is judged
    against the notices of that issuer and those that place none, a source that places
    none against every notice; the guard's facts first (as codes, all at once), the
    first HEAD values of the signatures of the notices it lets through next (what must
    reach STRICT and cannot is out), their whole signatures then, and the titles cited
    of those similar enough, one by one. An LSH index (datasketch's) offered candidates by text
    alone: notices made from one template (a generated corpus; one province's format)
    are half alike, so it offered each source thousands, which the guard then turned
    away one by one, and the cost grew with the square of the corpus."""

    def __init__(self, threshold: float = THRESHOLD, num_perm: int = NUM_PERM, strict: float = STRICT):
        self.threshold, self.num_perm, self.strict = threshold, num_perm, strict
        self.unplaced = _Rows(None, np.int32)  # notices whose guard places no issuer
        self.by_issuer: dict[str, _Rows] = {}  # placed issuer → its notices
        self.docs: list[str] = []  # notice number → notice; numbered in the order added
        self.numbers: dict[str, int] = {}
        self._titles: list[frozenset] = []
        self._codes: dict[object, int] = {}  # a guard fact → its code (-1: not stated)
        self._facts = _Rows(len(GUARD_FIELDS), np.int32)
        self._signatures = _Rows(num_perm, np.uint64)
        self._heads = _Rows(min(HEAD, num_perm), np.uint64)  # each signature's first values
        # A notice sharing no evident fact must reach `strict`: it may differ from a source in
        # at most this many of the num_perm values (as find compares them: in float).
        self._strict_misses = max(m for m in range(num_perm + 1)
                                  if (num_perm - m) / num_perm >= max(threshold, strict))

    def add(self, doc: str, signature: bytes, guard: tuple) -> None:
        if doc in self.numbers:
            return
        number = self.numbers[doc] = len(self.docs)
        self.docs.append(doc)
        self._titles.append(frozenset(guard[-1]))
        self._facts.append(self._coded(guard))
        values = np.frombuffer(signature, np.uint64)
        self._signatures.append(values)
        self._heads.append(values[:self._heads.width])
        if guard[0] is None:
            self.unplaced.append(number)
        else:
            self.by_issuer.setdefault(guard[0], _Rows(None, np.int32)).append(number)

    def find(self, signature: bytes, guard: tuple, apart=lambda doc: False) -> tuple[str, float] | None:
        """(the notice this is a copy of, estimated similarity), or None for a notice of
        its own: the most similar notice the guard allows (kg.copies.agreeing), the
        earliest on a tie. `apart(doc)`: a person said they are different notices."""
        if guard[0] is None:  # it may copy any notice
            numbers, theirs = np.arange(len(self.docs)), self._facts.view
        else:
            block = self.by_issuer.get(guard[0])
            numbers = self.unplaced.view if block is None else np.concatenate([block.view, self.unplaced.view])
            theirs = self._facts.view[numbers]
        if not len(numbers):
            return None
        mine = self._coded(guard, add=False)
        stated = (theirs >= 0) & (mine != -1)
        allowed = ~(stated & (theirs != mine)).any(axis=1)  # no fact both state differs
        numbers, evident = numbers[allowed], (stated[allowed] & np.array(EVIDENT)).any(axis=1)
        values = np.frombuffer(signature, np.uint64)
        # Most notices the guard lets through share no evident fact (they state no dates, or
        # place no issuer): they must reach `strict`, so more misses than _strict_misses in
        # the first values rule them out, exactly. Judged whole, they made the cost grow
        # with the square of the corpus (100 000 notices: most of a build).
        misses = (self._heads.view[numbers] != values[:self._heads.width]).sum(axis=1)
        near = evident | (misses <= self._strict_misses)
        numbers, evident = numbers[near], evident[near]
        sims = (self._signatures.view[numbers] == values).mean(axis=1)
        enough = sims >= np.where(evident, self.threshold, max(self.threshold, self.strict))
        cited = frozenset(guard[-1])
        best = None
        for number, sim in sorted(zip(numbers[enough].tolist(), sims[enough].tolist()), key=lambda c: (-c[1], c[0])):
            titles = self._titles[number]
            if (cited - titles and titles - cited) or apart(self.docs[number]):
                continue  # each cites a title the other does not: two notices
            best = (self.docs[number], sim)
            break
        return best

    def _coded(self, guard: tuple, add: bool = True) -> np.ndarray:
        codes = []
        for fact in guard[:len(GUARD_FIELDS)]:
            if fact is None:
                codes.append(-1)
            elif add:
                codes.append(self._codes.setdefault(fact, len(self._codes)))
            else:
                codes.append(self._codes.get(fact, -2))  # a fact no notice states: differs from each
        return np.array(codes, dtype=np.int32)


class _Rows:
    """A numpy array appended to row by row (grown by doubling); `view`: the rows added."""

    def __init__(self, width: int | None, dtype):
        self._rows = np.empty((16,) if width is None else (16, width), dtype=dtype)
        self.width, self.count = width, 0

    def append(self, row) -> None:
        if self.count == len(self._rows):
            self._rows = np.concatenate([self._rows, np.empty_like(self._rows)])
        self._rows[self.count] = row
        self.count += 1

    @property
    def view(self) -> np.ndarray:
        return self._rows[:self.count]


def percent(sim: float) -> int:
    return int(round(sim * 100))


def copy_graph(src: Source, doc: str, sim: float, first: bool):
    """The Copy node of `src` and its COPY_OF to the notice `doc` (its Document key);
    `first`: the source the Document names."""
    from kg.graph import Graph, provenance
    from kg.resolve import day_number

    graph = Graph()
    rule = "copy.first" if first else "copy.same_bytes" if src.sha256 == doc else "copy.same_text"
    evidence = provenance(doc, 0, 0, rule, "")
    node = graph.add_node("Copy", src.source, {
        "source": src.source, "sha256": src.sha256, "encoding": src.encoding, "media_type": src.media_type,
        "published": src.published, "published_day": day_number(src.published), "similarity": percent(sim),
        "url": src.url, "fetched": src.fetched}, evidence)
    graph.add_relationship("COPY_OF", node, ("Document", doc), evidence=evidence)
    return graph


def earlier_published(props: dict, published: str | None) -> bool:
    """Give a notice's Document the earliest publication date its copies state; whether
    it changed."""
    from kg.resolve import day_number

    if published is None or (props.get("published") is not None and props["published"] <= published):
        return False
    props["published"], props["published_day"] = published, day_number(published)
    return True


class Grouping:
    """Sources in input order → the notice each carries: the first source of a text is its
    notice; a later one with the same bytes, or found by the CopyIndex, is a copy."""

    def __init__(self, curation=None, index: CopyIndex | None = None):
        self.index = index or CopyIndex()
        self.curation = curation
        self.names: dict[str, str] = {}  # notice → the source its Document names

    def place(self, doc: str, src: Source) -> Place:
        """Where `src`, whose bytes hash to `doc`, stands: after every source placed before it."""
        if doc in self.names:
            return Place(doc, 1.0, False)  # the same bytes under another name
        told = getattr(self.curation, "apart", None)  # a person said: different notices
        apart = (lambda other: False) if told is None else (
            lambda other: told((src.source, doc), (self.names[other], other)))
        found = self.index.find(src.signature, src.guard, apart)
        if found is not None:
            return Place(found[0], found[1], False)
        self.index.add(doc, src.signature, src.guard)
        self.names[doc] = src.source
        return Place(doc, 1.0, True)


def groups(placed: Iterable[tuple[Source, Place]]) -> dict[str, list[tuple[Source, Place]]]:
    """notice → its sources (the first first, then in the order placed)."""
    found: dict[str, list[tuple[Source, Place]]] = {}
    for src, place in placed:
        found.setdefault(place.doc, []).append((src, place))
    for members in found.values():
        members.sort(key=lambda member: not member[1].first)
    return found
