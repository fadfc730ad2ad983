"""Regulations cited together: the pairs counted once at build time (CO_CITED), so that
the co-cited-regulations query reads a small table instead of enumerating every pair of
every notice (≈ 14 M pairs at 100 000 notices).

Pairs are kept as 64-bit codes (two 32-bit regulation numbers) in a growing array and
counted with numpy at the end: memory is 12 bytes per pair seen, not a Python object;
counting sorts one array of codes that also carry the notice's rank by hash.
"""
from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from kg.errors import KgError
from kg.graph import Graph, Relationship, provenance

MIN_DOCUMENTS = 2  # a pair one notice cites is that notice's, not a recurring pairing
RULE = "derived.co_cited"


class CoCitations:
    """Add each notice's cited regulations; read back the pairs at least MIN_DOCUMENTS
    notices cite, each with its count and the first of those notices by hash."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._keys: list[str] = []
        self._docs: list[str] = []
        self._codes = array("q")  # pair: first id << 32 | second id
        self._doc_of_code = array("i")

    def add(self, doc: str, regulations: Iterable[str]) -> None:
        ids = sorted({self._id(key) for key in regulations})
        if len(ids) < 2:
            return
        doc_number = len(self._docs)
        self._docs.append(doc)
        values = np.array(ids, dtype=np.int64)
        first, second = np.triu_indices(len(ids), 1)
        self._codes.frombytes(((values[first] << 32) | values[second]).tobytes())
        self._doc_of_code.extend([doc_number] * len(first))

    def pairs(self, keep: Callable[[str], bool] = lambda key: True) -> Iterator[tuple[str, str, int, str]]:
        """(regulation key, regulation key, documents, first document) for each pair of
        regulations `keep` accepts, cited together by at least MIN_DOCUMENTS notices."""
        if not self._codes:
            return
        by_rank = np.argsort(np.array(self._docs))  # documents in hash order
        rank = np.empty(len(self._docs), dtype=np.int64)
        rank[by_rank] = np.arange(len(self._docs))
        id_bits, doc_bits = max(len(self._keys) - 1, 1).bit_length(), max(len(self._docs) - 1, 1).bit_length()
        if 2 * id_bits + doc_bits > 63:
            raise KgError(f"{len(self._keys)} regulations in {len(self._docs)} notices: too many to count "
                          "co-citations in 64-bit codes; please report it")
        # One sort of (pair, document rank) codes: each pair's run starts at its first notice.
        # Built in place, the growing arrays let go first: three arrays of pairs at most.
        combined = np.frombuffer(self._codes, dtype=np.int64).copy()
        docs = np.frombuffer(self._doc_of_code, dtype=np.int32).copy()
        self._codes, self._doc_of_code = array("q"), array("i")  # counted once
        high = combined >> 32
        high <<= id_bits
        combined &= 0xFFFFFFFF
        combined |= high
        del high
        combined <<= doc_bits
        combined |= rank[docs]
        del docs
        combined.sort()
        pair = combined >> doc_bits
        starts = np.flatnonzero(np.concatenate(([True], pair[1:] != pair[:-1])))
        counts = np.diff(np.append(starts, len(pair)))
        wanted = counts >= MIN_DOCUMENTS
        kept = np.fromiter((keep(key) for key in self._keys), dtype=bool, count=len(self._keys))
        mask = (1 << id_bits) - 1
        for code, n, first_rank in zip(pair[starts[wanted]].tolist(), counts[wanted].tolist(),
                                       (combined[starts[wanted]] & ((1 << doc_bits) - 1)).tolist()):
            a, b = code >> id_bits, code & mask
            if kept[a] and kept[b]:
                yield self._keys[a], self._keys[b], n, self._docs[by_rank[first_rank]]

    def _id(self, key: str) -> int:
        number = self._ids.get(key)
        if number is None:
            number = self._ids[key] = len(self._keys)
            self._keys.append(key)
        return number


def cited_by_notice(graph: Graph) -> dict[str, list[str]]:
    """Document key → the keys of the regulations it cites (what CoCitations.add takes)."""
    cited: dict[str, list[str]] = {}
    for (rel_type, _), rel in graph.relationships.items():
        if rel_type == "CITES":
            cited.setdefault(rel.start[1], []).append(rel.end[1])
    return cited


def co_cited(regulations: Callable[[str], dict], counted: CoCitations) -> Iterator[Relationship]:
    """CO_CITED relationships for the counted pairs, given each Regulation's properties:
    from the title that sorts first; films, books and periodicals left out."""
    for a, b, documents, doc in counted.pairs(lambda key: regulations(key)["kind"] != "not_regulation"):
        title_a, title_b = regulations(a)["title"], regulations(b)["title"]
        if title_a == title_b:
            continue
        first, second = (a, b) if title_a < title_b else (b, a)
        yield Relationship("CO_CITED", f"{first}|{second}", ("Regulation", first), ("Regulation", second),
                           {"documents": documents}, [provenance(doc, 0, 0, RULE, "")])


def add_co_citations(graph: Graph, counted: CoCitations) -> None:
    """CO_CITED relationships in `graph`, which holds every Regulation."""
    for rel in co_cited(lambda key: graph.nodes[("Regulation", key)].props, counted):
        graph.put_relationship(rel.type, rel.key, rel.start, rel.end, rel.props, rel.provenance)
