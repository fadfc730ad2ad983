"""Regulations cited together: the pairs counted once at build time (CO_CITED), so that
the co-cited-regulations query reads a small table instead of enumerating every pair of
every notice (≈ 14 M pairs at 100 000 notices).

Pairs are kept as 64-bit codes (two 32-bit regulation numbers) in a growing array and
counted with numpy at the end: memory is 12 bytes per pair seen, not a Python object.
"""
from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from kg.graph import Graph, provenance

MIN_DOCUMENTS = 2  # a pair one notice cites is that notice's, not a recurring pairing
RULE = "derived.co_cited"


class CoCitations:
    """Add each notice's cited regulations; read back the pairs at least MIN_DOCUMENTS
    notices cite, each with its count and the first of those notices by hash."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._keys: list[str] = []
        self._docs: list[str] = []
        self._codes = array("q")
        self._doc_of_code = array("i")

    def add(self, doc: str, regulations: Iterable[str]) -> None:
        ids = sorted({self._id(key) for key in regulations})
        if len(ids) < 2:
            return
        doc_number = len(self._docs)
        self._docs.append(doc)
        values = np.array(ids, dtype=np.int64)
        first, second = np.triu_indices(len(ids), 1)
        codes = (values[first] << 32) | values[second]
        self._codes.frombytes(codes.tobytes())
        self._doc_of_code.extend([doc_number] * len(codes))

    def pairs(self, keep: Callable[[str], bool] = lambda key: True) -> Iterator[tuple[str, str, int, str]]:
        """(regulation key, regulation key, documents, first document) for each pair of
        regulations `keep` accepts, cited together by at least MIN_DOCUMENTS notices."""
        if not self._codes:
            return
        codes = np.frombuffer(self._codes, dtype=np.int64)
        docs = np.frombuffer(self._doc_of_code, dtype=np.int32)
        rank = np.empty(len(self._docs), dtype=np.int32)
        rank[np.argsort(np.array(self._docs))] = np.arange(len(self._docs), dtype=np.int32)
        order = np.lexsort((rank[docs], codes))  # by pair, then by document hash
        unique, first_at, counts = np.unique(codes[order], return_index=True, return_counts=True)
        first_doc = docs[order[first_at]]
        kept = set(i for i, key in enumerate(self._keys) if keep(key))
        for code, n, d in zip(unique[counts >= MIN_DOCUMENTS].tolist(), counts[counts >= MIN_DOCUMENTS].tolist(),
                              first_doc[counts >= MIN_DOCUMENTS].tolist()):
            a, b = code >> 32, code & 0xFFFFFFFF
            if a in kept and b in kept:
                yield self._keys[a], self._keys[b], n, self._docs[d]

    def _id(self, key: str) -> int:
        number = self._ids.get(key)
        if number is None:
            number = self._ids[key] = len(self._keys)
            self._keys.append(key)
        return number


def add_co_citations(graph: Graph, counted: CoCitations) -> None:
    """CO_CITED relationships in `graph` (which holds every Regulation) for the counted
    pairs: from the title that sorts first, films, books and periodicals left out."""
    def title(key: str) -> str:
        return graph.nodes[("Regulation", key)].props["title"]

    def keep(key: str) -> bool:
        return graph.nodes[("Regulation", key)].props["kind"] != "not_regulation"

    for a, b, documents, doc in counted.pairs(keep):
        if title(a) == title(b):
            continue
        first, second = (a, b) if title(a) < title(b) else (b, a)
        graph.put_relationship("CO_CITED", f"{first}|{second}", ("Regulation", first), ("Regulation", second),
                               {"documents": documents}, [provenance(doc, 0, 0, RULE, "")])
