"""The large-build path (kg.bulk): its CSV text and files equal what the in-memory graph gives."""
from __future__ import annotations

import csv
import io

from kg.bulk import BulkGraph, csv_line, pack_record
from kg.copies import source_of
from kg.graph import model
from kg.resolve import DERIVED, build_graph


def test_csv_line_writes_what_the_csv_module_writes(records):
    graph = build_graph(records.values())
    m = model()
    rows = [[row.get(c) for c in m.columns(label)] for label in m.nodes for row in graph.rows(label)]
    rows += [[row.get(c) for c in m.columns(t)] for t in m.relationships for row in graph.relationship_rows(t)]
    assert any('"' in str(v) and "," in str(v) for row in rows for v in row)  # quoting is exercised
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    assert "".join(map(csv_line, rows)) == out.getvalue()


def test_bulk_tables_hold_the_rows_of_the_graph(records, tmp_path):
    graph = build_graph(records.values())
    bulk = BulkGraph(tmp_path, DERIVED)
    for record in records.values():
        bulk.add(pack_record(record, source_of(None, record)))
    m = model()
    assert bulk.counts() == graph.counts()
    for table, files in bulk.table_files():
        stored = [row for f in files for row in csv.DictReader(open(f.path, encoding="utf-8"))]
        rows = graph.rows(table) if table in m.nodes else graph.relationship_rows(table)
        expected = [{c: "" if row.get(c) is None else str(row[c]) for c in m.columns(table)} for row in rows]
        key = lambda r: r["key"]  # noqa: E731
        assert sorted(stored, key=key) == sorted(expected, key=key), table
