"""Large builds: notices' graphs packed in worker processes, merged into files for COPY.

A worker turns one record into its notice's graph (resolve.fragment) and packs it: the
facts that belong to that notice alone (graph.LOCAL_NODES / LOCAL_RELATIONSHIPS) become
CSV text in the store's column order; shared nodes travel as they are, shared
relationships as text lines. The main process appends the CSV text to files (a new file
every CHUNK_ROWS rows or CHUNK_CHARS characters), merges shared nodes' properties in
memory, and appends shared relationships (the first statement of each) and all shared
evidence to bucket files on disk, to be grouped by key only when the store is written.
Memory holds the properties of shared nodes, the keys of shared relationships and the
co-citation codes (kg.cocitation), nothing per notice.

The files hold exactly the rows Graph.rows would give for the same notices (tested).
"""
from __future__ import annotations

import io
import json
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg.cocitation import CoCitations, cited_by_notice, co_cited
from kg.statements import Rows, Statements
from kg.graph import LOCAL_NODES, LOCAL_RELATIONSHIPS, Graph, Node, Relationship, evidence_item, kept_evidence, model

CHUNK_ROWS = 100_000
CHUNK_CHARS = 20_000_000  # …or this much text (a regulation's provenance can be megabytes)
BUCKETS = 16  # evidence files per shared table; one is grouped in memory at a time


@dataclass
class Packed:
    """One notice's graph, ready for BulkGraph.add: plain values, cheap to pickle, with the
    text formatting (the costly part) already done in the worker."""
    doc: str
    source: str  # the file its Document row names
    csv: dict[str, tuple[int, str]]  # local table → (rows, CSV text)
    nodes: list[tuple]  # shared nodes: (label, key, props, stated_by)
    relationships: list[tuple]  # shared relationships: (type, key, line "key<TAB>[start, end, props]")
    evidence: dict[str, str]  # evidence file name → lines "key<TAB>evidence JSON"
    cited: list[str]  # the regulations the notice cites (for CO_CITED)
    local_keys: dict[str, list[str]]  # local label → keys of the notice's nodes (an incremental build deletes them)
    statements: Rows = field(default_factory=Rows)  # the same shared facts as rows for kg.statements
    copy: object | None = None  # kg.copies.Source: what tells a copy of another notice
    curated: list[int] = field(default_factory=list)  # the curation file's lines that changed its record


def pack_record(record: dict, copy) -> Packed:
    """A record's graph packed, with its own Copy (kg.copies.Source `copy`) as if it were
    the first: a BulkGraph that finds it a copy of another notice writes that instead."""
    from kg.copies import copy_graph
    from kg.resolve import fragment

    part = fragment(record)
    part.merge(copy_graph(copy, record["sha256"], 1.0, True))
    packed = pack(part)
    packed.copy = copy
    return packed


def pack(part: Graph) -> Packed:
    (doc,) = part.documents
    m = model()
    rows: dict[str, list] = {}
    evidence: dict[str, list] = {}
    packed = Packed(doc, part.nodes[("Document", doc)].props["source"], {}, [], [], {},
                    cited_by_notice(part).get(doc, []), {})
    for items, local in ((part.nodes, LOCAL_NODES), (part.relationships, LOCAL_RELATIONSHIPS)):
        for (table, key), item in items.items():
            if table in local:
                rows.setdefault(table, []).append(item.row())
                if table in LOCAL_NODES:
                    packed.local_keys.setdefault(table, []).append(key)
                continue
            number = packed.statements.item(table, key)
            key_json = json.dumps(key, ensure_ascii=False)
            if isinstance(item, Node):
                packed.nodes.append((table, key, item.props, item.stated_by))
                packed.statements.nodes.append((number, doc, item.stated_by or "",
                                                json.dumps(item.props, ensure_ascii=False, sort_keys=True)))
            else:
                definition = json.dumps([item.start[1], item.end[1], item.props], ensure_ascii=False)
                packed.relationships.append((table, key, f"{key_json}\t{definition}\n"))
                packed.statements.relationships.append((number, doc, definition))
            if item.provenance:
                texts = [evidence_item(e) for e in item.provenance]
                evidence.setdefault(_evidence_file(table, key), []).extend(f"{key_json}\t{text}\n" for text in texts)
                packed.statements.evidence.extend((number, doc, text) for text in texts)
    for table, table_rows in rows.items():
        columns = m.columns(table)
        packed.csv[table] = (len(table_rows), "".join(csv_line([row.get(c) for c in columns]) for row in table_rows))
    packed.evidence = {name: "".join(lines) for name, lines in evidence.items()}
    return packed


@dataclass
class TableFile:
    path: Path
    rows: int = 0
    chars: int = 0
    multiline: bool = False  # some value holds a line break: LadybugDB must read it serially


def shared_row(table: str, item: Node | Relationship, kept: list[str], values: Callable[[str], set[str]],
               derived: dict) -> dict:
    """A shared node's or relationship's row: its properties, the one `derived` from all its
    evidence (`values(field)`: the distinct values of a field of it), and its `kept`
    evidence texts (kept_evidence of them all)."""
    row = item.row()
    if table in derived:
        derived[table].apply(row, values(derived[table].field))
    row["provenance"] = "[" + ", ".join(kept) + "]"
    return row


class BulkGraph:
    """The graph of many notices, held as files in `folder` plus shared properties."""

    def __init__(self, folder: Path, derived: dict | None = None, statements: Statements | None = None,
                 grouping=None):
        self.folder = Path(folder)
        self.model = model()
        self.files: dict[str, list[TableFile]] = {}
        self._open: dict[str, tuple[str, io.TextIOBase]] = {}  # stream → (file name, file)
        self.statements = statements  # what each notice states, kept for later builds
        self.shared = Graph()  # shared nodes, without their evidence
        self._relationships: dict[str, set[str]] = {}  # shared relationships' keys; they wait on disk
        self.documents: set[str] = set()
        self.derived = derived or {}
        self._counts: tuple[Counter, Counter] | None = None  # kept when the shared graph is let go
        self.co_citations = CoCitations()
        self.grouping = grouping  # kg.copies.Grouping: copies of a notice are not notices
        # Document rows wait here (one short line a notice): a later copy may state an
        # earlier publication date.
        self._documents: dict[str, str] = {}
        self._earlier: dict[str, str] = {}  # notice → the earliest date a later copy states

    # -- adding ---------------------------------------------------------------
    def add(self, packed: Packed) -> bool:
        """Add a notice, or a copy of one added before (kg.copies); whether it was a notice."""
        if self.grouping is not None and packed.copy is not None:
            place = self.grouping.place(packed.doc, packed.copy)
            if self.statements is not None:
                self.statements.add_copy(packed.copy, place, packed.curated)
            if not place.first:  # its Copy row names the notice it is a copy of; nothing else of it stays
                self._add_copy(packed.copy, place)
                if packed.copy.published is not None:
                    self._earlier[place.doc] = min(packed.copy.published,
                                                   self._earlier.get(place.doc, packed.copy.published))
                return False
        elif packed.doc in self.documents:
            return False  # the same bytes under another name: one notice
        self.documents.add(packed.doc)
        for table, (rows, text) in packed.csv.items():
            if table == "Document":
                self._documents[packed.doc] = text
            else:
                self._append(table, rows, text)
        for label, key, props, stated_by in packed.nodes:
            self.shared.put_node(label, key, props, stated_by, [])
        for rel_type, key, line in packed.relationships:
            seen = self._relationships.setdefault(rel_type, set())
            if key not in seen:  # the first statement of a relationship stands (as in Graph)
                seen.add(key)
                name = _relationship_file(rel_type, key)
                self._write(name, name, line)
        for name, text in packed.evidence.items():
            self._write(name, name, text)
        self.co_citations.add(packed.doc, packed.cited)
        if self.statements is not None:
            self.statements.add(packed)
        return True

    def _add_copy(self, src, place) -> None:
        for table, row in copy_rows(src, place):
            self.add_row(table, row)

    def _write_documents(self) -> None:
        """The Document rows, each with the earliest publication date of its copies."""
        for doc, text in self._documents.items():
            self._append("Document", 1, document_line(text, self._earlier.get(doc)))
        self._documents.clear()

    def _append(self, table: str, rows: int, text: str) -> None:
        chunks = self.files.setdefault(table, [])
        if not chunks or chunks[-1].rows >= CHUNK_ROWS or chunks[-1].chars >= CHUNK_CHARS:
            chunks.append(TableFile(self.folder / f"{table}-{len(chunks):04d}.csv"))
            self._write(table, chunks[-1].path.name, ",".join(self.model.columns(table)) + "\n")
        chunk = chunks[-1]
        chunk.rows += rows
        chunk.chars += len(text)
        chunk.multiline |= text.count("\n") + text.count("\r") != rows
        self._write(table, chunk.path.name, text)

    def _write(self, stream: str, filename: str, text: str) -> None:
        """Append to a file of the folder, kept open for `stream` until it moves to another file."""
        current = self._open.get(stream)
        if current is None or current[0] != filename:
            if current is not None:
                current[1].close()
            # A small buffer: some 400 streams are open at once (a table's bucket files).
            current = self._open[stream] = (filename, open(self.folder / filename, "a", encoding="utf-8",
                                                           newline="", buffering=64 * 1024))
        current[1].write(text)

    def add_row(self, table: str, row: dict) -> None:
        self._append(table, 1, self._line(table, row))

    def _line(self, table: str, row: dict) -> str:
        return csv_line([row.get(c) for c in self.model.columns(table)])

    def close(self) -> None:
        for _, f in self._open.values():
            f.close()
        self._open.clear()

    # -- reading --------------------------------------------------------------
    def counts(self) -> tuple[Counter, Counter]:
        """(nodes per label, relationships per type). Writes the shared tables first (see
        table_files): only then is every notice in and CO_CITED counted."""
        self._write_shared_tables()
        return self._counts

    def table_files(self) -> list[tuple[str, list[TableFile]]]:
        """(table, its CSV files) for every table of the model."""
        self._write_shared_tables()
        return [(table, self.files.get(table, [])) for table in (*self.model.nodes, *self.model.relationships)]

    def _write_shared_tables(self) -> None:
        """Once every notice is in: the shared tables' CSV files, with all their evidence,
        and CO_CITED; then the shared graph is let go (the COPY that follows needs the
        memory) and the counts kept."""
        if self._counts is not None:
            return
        self._write_documents()
        self.close()  # the files written so far are read back now
        for table in (*self.model.nodes, *self.model.relationships):
            if table not in LOCAL_NODES and table not in LOCAL_RELATIONSHIPS and table != "CO_CITED":
                self._write_shared(table)
        regulations = self.shared.nodes
        pairs = []
        for rel in co_cited(lambda key: regulations[("Regulation", key)].props, self.co_citations):
            self.add_row("CO_CITED", rel.row())
            pairs.append(rel.key)
        if self.statements is not None:
            self.statements.set_co_cited(pairs)
        self.co_citations = CoCitations()
        self.close()
        rows = {table: sum(f.rows for f in files) for table, files in self.files.items()}
        self._counts = (Counter({label: rows.get(label, 0) for label in self.model.nodes}),
                        Counter({t: rows.get(t, 0) for t in self.model.relationships}))
        self.shared = Graph()

    def _write_shared(self, table: str) -> None:
        """A shared table's CSV: rows in bucket order, then key order, each with all the
        evidence every notice gave for it."""
        nodes: dict[int, dict[str, Node]] = {}
        if table in self.model.nodes:
            for (label, key), node in self.shared.nodes.items():
                if label == table:
                    nodes.setdefault(_bucket(key), {})[key] = node
        for bucket in range(BUCKETS):
            items = nodes.get(bucket, {}) if table in self.model.nodes else self._read_relationships(table, bucket)
            if not items:
                continue
            evidence = self._read_evidence(table, bucket)
            for key in sorted(items):
                found = evidence.get(key, set())
                self.add_row(table, shared_row(table, items[key], kept_evidence(found),
                                               lambda field, found=found: {json.loads(e)[field] for e in found},
                                               self.derived))

    def _read_relationships(self, table: str, bucket: int) -> dict[str, Relationship]:
        spec = self.model.relationships[table]
        path = self.folder / _relationship_file(table, bucket)
        found: dict[str, Relationship] = {}
        if path.exists():
            with open(path, encoding="utf-8") as f:
                for line in f:
                    key, definition = line.rstrip("\n").split("\t", 1)
                    key = json.loads(key)
                    start, end, props = json.loads(definition)
                    found[key] = Relationship(table, key, (spec["from"], start), (spec["to"], end), props)
        return found

    def _read_evidence(self, table: str, bucket: int) -> dict[str, set[str]]:
        path = self.folder / _evidence_file(table, bucket)
        found: dict[str, set[str]] = {}
        if path.exists():
            with open(path, encoding="utf-8") as f:
                for line in f:
                    key, item = line.rstrip("\n").split("\t", 1)
                    found.setdefault(json.loads(key), set()).add(item)  # a set: evidence once
        return found


def copy_rows(src, place) -> list[tuple[str, dict]]:
    """(table, row) of the Copy node of a source placed as a copy (kg.copies) and its COPY_OF."""
    from kg.copies import copy_graph

    part = copy_graph(src, *place)
    return [(table, item.row()) for (table, _), item in (*part.nodes.items(), *part.relationships.items())]


def document_line(text: str, earliest: str | None) -> str:
    """A notice's Document CSV line, given the earliest publication date its copies state."""
    from kg.copies import earlier_published

    if earliest is None:
        return text
    (row,) = csv_rows("Document", text)
    if not earlier_published(row, earliest):
        return text
    row["published_day"] = str(row["published_day"])
    return csv_line([row.get(c) for c in model().columns("Document")])


def csv_line(values: list) -> str:
    """What csv.writer writes for a row (None as empty, quoted only where needed), at half
    its cost on long Chinese text."""
    cells = []
    for v in values:
        s = "" if v is None else v if isinstance(v, str) else str(v)
        if '"' in s or "," in s or "\n" in s or "\r" in s:
            s = '"' + s.replace('"', '""') + '"'
        cells.append(s)
    return ",".join(cells) + "\n"


def csv_rows(table: str, text: str) -> list[dict]:
    """Rows of CSV text csv_line wrote for `table`, as COPY reads them: an empty field is
    null; values stay text (the store casts them to the column's type)."""
    import csv

    columns = model().columns(table)
    return [{c: v or None for c, v in zip(columns, values)} for values in csv.reader(io.StringIO(text, newline=""))]


def write_table(path: Path, columns: list[str], rows) -> TableFile:
    """All rows of a table as one CSV file (for a graph held in memory)."""
    out = TableFile(path)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(columns) + "\n")
        for row in rows:
            line = csv_line([row.get(c) for c in columns])
            out.multiline |= line.count("\n") + line.count("\r") != 1
            out.rows += 1
            f.write(line)
    return out


def _bucket(key: str) -> int:
    return zlib.crc32(key.encode("utf-8")) % BUCKETS  # not hash(): the same in every run


def _evidence_file(table: str, key_or_bucket: str | int) -> str:
    return f"evidence-{table}-{_bucket_of(key_or_bucket):02d}.jsonl"


def _relationship_file(table: str, key_or_bucket: str | int) -> str:
    return f"relationships-{table}-{_bucket_of(key_or_bucket):02d}.jsonl"


def _bucket_of(key_or_bucket: str | int) -> int:
    return key_or_bucket if isinstance(key_or_bucket, int) else _bucket(key_or_bucket)
