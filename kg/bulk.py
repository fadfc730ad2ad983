"""Large builds: notices' graphs packed in worker processes, merged into files for COPY.

A worker turns one record into its notice's graph (resolve.fragment) and packs it: the
facts that belong to that notice alone (graph.LOCAL_NODES / LOCAL_RELATIONSHIPS) become
CSV text in the store's column order; the nodes and relationships notices share travel as
they are. The main process appends the CSV text to files (a new file every CHUNK_ROWS
rows, so that one COPY never needs the whole table in memory), merges shared properties
in memory and appends shared evidence to disk, to be grouped by key only when the store
is written. Memory holds the properties of shared entities and nothing per notice.

The files hold exactly the rows Graph.rows would give for the same notices (tested).
"""
from __future__ import annotations

import csv
import io
import json
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.graph import LOCAL_NODES, LOCAL_RELATIONSHIPS, Graph, Node, Relationship, evidence_item, model

CHUNK_ROWS = 100_000
BUCKETS = 16  # evidence files per shared table; one is grouped in memory at a time


@dataclass
class Packed:
    """One notice's graph, ready for BulkGraph.add (small and cheap to pickle)."""
    doc: str
    csv: dict[str, tuple[int, str]]  # local table → (rows, CSV text)
    nodes: list[Node]  # shared nodes, with this notice's evidence
    relationships: list[Relationship]


def pack(part: Graph) -> Packed:
    (doc,) = part.documents
    m = model()
    text: dict[str, list] = {}
    for (label, _), node in part.nodes.items():
        if label in LOCAL_NODES:
            text.setdefault(label, []).append(node.row())
    for (rel_type, _), rel in part.relationships.items():
        if rel_type in LOCAL_RELATIONSHIPS:
            text.setdefault(rel_type, []).append(rel.row())
    tables = {}
    for table, rows in text.items():
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        columns = m.columns(table)
        writer.writerows([row.get(c) for c in columns] for row in rows)  # csv writes None as ""
        tables[table] = (len(rows), out.getvalue())
    return Packed(doc, tables,
                  [n for (label, _), n in part.nodes.items() if label not in LOCAL_NODES],
                  [r for (t, _), r in part.relationships.items() if t not in LOCAL_RELATIONSHIPS])


@dataclass
class TableFile:
    path: Path
    rows: int = 0
    multiline: bool = False  # some value holds a line break: LadybugDB must read it serially


class BulkGraph:
    """The graph of many notices, held as files in `folder` plus shared properties."""

    def __init__(self, folder: Path, derived: dict[str, Callable[[dict, list[dict]], None]] | None = None):
        self.folder = Path(folder)
        self.model = model()
        self.shared = Graph()  # shared nodes and relationships, without their evidence
        self.documents: set[str] = set()
        self.derived = derived or {}
        self.files: dict[str, list[TableFile]] = {}
        self._open: dict[str, io.TextIOBase] = {}
        self._local_rows: Counter = Counter()

    # -- adding ---------------------------------------------------------------
    def add(self, packed: Packed) -> None:
        if packed.doc in self.documents:
            return  # the same bytes under another name: one notice
        self.documents.add(packed.doc)
        for table, (rows, text) in packed.csv.items():
            self._append(table, rows, text)
        for n in packed.nodes:
            self.shared.put_node(n.label, n.key, n.props, n.stated_by, [])
            self._evidence(n.label, n.key, n.provenance)
        for r in packed.relationships:
            self.shared.put_relationship(r.type, r.key, r.start, r.end, r.props, [])
            self._evidence(r.type, r.key, r.provenance)

    def _append(self, table: str, rows: int, text: str) -> None:
        chunks = self.files.setdefault(table, [])
        if not chunks or chunks[-1].rows >= CHUNK_ROWS:
            chunks.append(TableFile(self.folder / f"{table}-{len(chunks):04d}.csv"))
            self._write(table, ",".join(self.model.columns(table)) + "\n", chunks[-1].path)
        chunk = chunks[-1]
        chunk.rows += rows
        chunk.multiline |= text.count("\n") + text.count("\r") != rows
        self._write(table, text, chunk.path)
        self._local_rows[table] += rows

    def _write(self, name: str, text: str, path: Path) -> None:
        f = self._open.get(name)
        if f is None or f.name != str(path):
            if f is not None:
                f.close()
            f = self._open[name] = open(path, "a", encoding="utf-8", newline="")
        f.write(text)

    def _evidence(self, table: str, key: str, evidence: list[dict]) -> None:
        if evidence:
            bucket = _bucket(key)
            self._write(f"{table}.{bucket}", "".join(f"{json.dumps(key, ensure_ascii=False)}\t{evidence_item(e)}\n"
                                                     for e in evidence),
                        self.folder / f"evidence-{table}-{bucket:02d}.jsonl")

    # -- reading --------------------------------------------------------------
    def counts(self) -> tuple[Counter, Counter]:
        nodes, rels = self.shared.counts()
        for table, n in self._local_rows.items():
            (nodes if table in self.model.nodes else rels)[table] += n
        return nodes, rels

    def table_files(self) -> Iterator[tuple[str, list[TableFile]]]:
        """(table, its CSV files) for every table of the model; shared tables are written now."""
        self.close()
        for table in [*self.model.nodes, *self.model.relationships]:
            if table in LOCAL_NODES or table in LOCAL_RELATIONSHIPS:
                yield table, self.files.get(table, [])
            else:
                yield table, [self._write_shared(table)]

    def _write_shared(self, table: str) -> TableFile:
        """One CSV of a shared table: rows in bucket order, then key order, each with all the
        evidence every notice gave for it."""
        items = self.shared.nodes if table in self.model.nodes else self.shared.relationships
        by_bucket: dict[int, list] = {}
        for (t, key), item in items.items():
            if t == table:
                by_bucket.setdefault(_bucket(key), []).append(item)
        out = TableFile(self.folder / f"{table}.csv")
        columns = self.model.columns(table)
        with open(out.path, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(columns)
            for bucket in sorted(by_bucket):
                evidence = self._read_evidence(table, bucket)
                for item in sorted(by_bucket[bucket], key=lambda i: i.key):
                    found = evidence.get(item.key, set())
                    row = item.row()
                    if table in self.derived:
                        props = dict(item.props)
                        self.derived[table](props, [json.loads(e) for e in found])
                        row.update(props)
                    row["provenance"] = "[" + ", ".join(sorted(found)) + "]"
                    writer.writerow([row.get(c) for c in columns])
                    out.rows += 1
        return out

    def _read_evidence(self, table: str, bucket: int) -> dict[str, set[str]]:
        path = self.folder / f"evidence-{table}-{bucket:02d}.jsonl"
        found: dict[str, set[str]] = {}
        if path.exists():
            with open(path, encoding="utf-8") as f:
                for line in f:
                    key, item = line.rstrip("\n").split("\t", 1)
                    found.setdefault(json.loads(key), set()).add(item)  # a set: evidence once
        return found

    def close(self) -> None:
        for f in self._open.values():
            f.close()
        self._open.clear()


def _bucket(key: str) -> int:
    return zlib.crc32(key.encode("utf-8")) % BUCKETS  # not hash(): the same in every run
