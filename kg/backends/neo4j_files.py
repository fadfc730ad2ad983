"""Files for Neo4j without a live connection: CSVs for `neo4j-admin database import full`
(the path for millions of facts) and a Cypher script for cypher-shell.

Both read rows label by label from a row source (a Graph, or an open store whose rows
stream from the engine), so large stores are never held in memory.
"""
from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Protocol, TextIO

from kg.backends.neo4j import (DATE_PROPERTIES, KG_LABEL, LIST_PROPERTIES, constraint_statements, neo4j_value,
                               node_statement, relationship_statement)
from kg.graph import evidence_item, model

ADMIN_TYPES = {"STRING": "string", "INT64": "long", "DOUBLE": "double", "BOOLEAN": "boolean"}
# Between the elements of a string[] value. Quotes and titles may hold ';' (the default);
# this control character only when pasted in, and neo4j-admin has no escape for it.
ARRAY_DELIMITER = "\x1f"


def _admin_type(prop: str, kind: str) -> str:
    if prop in DATE_PROPERTIES:
        return "date"
    if prop in LIST_PROPERTIES:
        return "string[]"
    return ADMIN_TYPES[kind]


def _admin_value(prop: str, value):
    value = neo4j_value(prop, value)
    return _array(value) if isinstance(value, list) else value


def _array(elements) -> str:
    """A string[] cell. A delimiter inside an element would split it in two on import, so
    it becomes U+FFFD there (as in GraphML). Evidence items need none: JSON escapes it."""
    return ARRAY_DELIMITER.join(e.replace(ARRAY_DELIMITER, "\ufffd") for e in elements)


def _evidence(row: dict) -> str:
    """The `evidence` list kg load neo4j keeps (and retires a changed notice's facts by)."""
    return ARRAY_DELIMITER.join(sorted(evidence_item(e) for e in json.loads(row.get("provenance") or "[]")))


class RowSource(Protocol):
    def rows(self, label: str): ...
    def relationship_rows(self, rel_type: str): ...


def write_admin_csv(source: RowSource, folder: Path) -> dict[str, int]:
    """nodes/<Label>.csv and relationships/<TYPE>.csv with neo4j-admin headers, and
    import.sh with the command that imports them. Returns rows written per file."""
    m = model()
    (folder / "nodes").mkdir(parents=True, exist_ok=True)
    (folder / "relationships").mkdir(parents=True, exist_ok=True)
    counts = {}
    for label in m.nodes:
        props = {p: t for p, t in m.node_properties(label).items() if p != "key"}
        header = [f"key:ID({label})"] + [f"{p}:{_admin_type(p, t)}" for p, t in props.items()] + \
                 ["evidence:string[]", ":LABEL"]
        rows = ([r["key"], *(_admin_value(p, r.get(p)) for p in props), _evidence(r),
                 f"{label}{ARRAY_DELIMITER}{KG_LABEL}"] for r in source.rows(label))
        counts[f"nodes/{label}.csv"] = _write(folder / "nodes" / f"{label}.csv", header, rows)
    for rel_type, spec in m.relationships.items():
        props = m.relationship_properties(rel_type)
        header = [f":START_ID({spec['from']})", f":END_ID({spec['to']})"] + \
                 [f"{p}:{_admin_type(p, t)}" for p, t in props.items()] + ["evidence:string[]", ":TYPE"]
        rows = ([r["from"], r["to"], *(_admin_value(p, r.get(p)) for p in props), _evidence(r), rel_type]
                for r in source.relationship_rows(rel_type))
        counts[f"relationships/{rel_type}.csv"] = _write(folder / "relationships" / f"{rel_type}.csv", header, rows)
    args = [f"--nodes={label}={{dir}}/nodes/{label}.csv" for label in m.nodes]
    args += [f"--relationships={t}={{dir}}/relationships/{t}.csv" for t in m.relationships]
    script = folder / "import.sh"
    script.write_text(
        "#!/bin/sh\n# Import into an empty, stopped database (default: neo4j). Run from anywhere.\n"
        'dir="$(cd "$(dirname "$0")" && pwd)"\n'
        "neo4j-admin database import full --overwrite-destination --multiline-fields=true \\\n  "
        "--array-delimiter=U+001F \\\n  "
        + " \\\n  ".join(a.replace("{dir}", "$dir") for a in args) + ' \\\n  "${1:-neo4j}"\n', encoding="utf-8")
    script.chmod(0o755)
    return counts


def _write(path: Path, header: list[str], rows) -> int:
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            n += 1
    return n


def cypher_literal(value) -> str:
    """A Cypher literal for a value of the graph: text is escaped, never pasted raw."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"no Cypher literal for {value}")
        return repr(value)
    if isinstance(value, str):
        escaped = (value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
                   .replace("\t", "\\t"))
        return "'" + escaped + "'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"`{k}`: {cypher_literal(v)}" for k, v in value.items()) + "}"
    raise ValueError(f"no Cypher literal for {type(value).__name__}")


def write_cypher_script(source: RowSource, out: TextIO, batch_size: int = 500) -> None:
    """Statements for cypher-shell: the same MERGE statements the loader sends, with
    each batch of rows written as a literal list."""
    m = model()
    for statement in constraint_statements():
        out.write(statement.cypher + ";\n")

    def emit(statement: str, rows) -> None:
        batch = []
        for row in rows:
            row = {k: neo4j_value(k, v) for k, v in row.items()}
            row["evidence"] = [evidence_item(e) for e in json.loads(row.pop("provenance") or "[]")]
            batch.append(row)
            if len(batch) == batch_size:
                _flush(statement, batch, out)
                batch = []
        if batch:
            _flush(statement, batch, out)

    for label in m.nodes:
        emit(node_statement(label), source.rows(label))
    for rel_type in m.relationships:
        emit(relationship_statement(rel_type), source.relationship_rows(rel_type))


def _flush(statement: str, batch: list[dict], out: TextIO) -> None:
    out.write(statement.replace("UNWIND $rows AS row", f"UNWIND {cypher_literal(batch)} AS row", 1) + ";\n")
