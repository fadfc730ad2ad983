"""A Neo4j database kept up to date with a store: after a rebuild, `kg load neo4j --from
STORE` sends only the rows that changed and deletes those that went.

What a server was last sent from a store is kept beside the store, in a manifest
(STORE/neo4j/<server>.sqlite): each row's table, key, start key and digest. A load digests
every row of the store (a pass that holds nothing but the digests, in SQLite), finds in
SQL the rows that are new or differ and the keys that went, then sends the deletions
(relationships, then nodes) and the new and changed rows with the store's values:
properties and evidence SET, not merged with what the server holds, because the store has
merged every notice's statements already (one rule, kg.statements). The result equals a
load of the whole store into an empty database (tested offline, on the statements).

The manifest is replaced only once the whole load has succeeded; a load that fails
half-way keeps the old one, and the next load resends what it must (MERGE makes resending
harmless). Without a manifest, or for a server whose count of kg nodes is not the
manifest's (wiped, or loaded from elsewhere), every row is sent.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from kg.backends.neo4j import (KG_LABEL, Statement, _batches, _join_provenance, constraint_statements,
                               merge_node, merge_relationship, node_rows, relationship_rows, row_value)
from kg.errors import KgError
from kg.graph import model

FOLDER = "neo4j"  # in the store: one manifest per server and database
SCHEMA = "CREATE TABLE loaded(tbl TEXT, key TEXT, start TEXT, digest BLOB, PRIMARY KEY (tbl, key))"


def manifest_path(store: Path, uri: str, database: str) -> Path:
    """Where the manifest of what `database` at `uri` was sent from `store` is kept."""
    name = hashlib.blake2b(f"{uri}\t{database}".encode(), digest_size=8).hexdigest()
    return Path(store) / FOLDER / f"{name}.sqlite"


def digest(row: dict) -> bytes:
    return hashlib.blake2b(json.dumps(row, sort_keys=True, ensure_ascii=False, default=str).encode(),
                           digest_size=16).digest()


class Manifest:
    """What was sent (`loaded`, from the file, if any) and what is being sent (`sent`, a
    new file moved over the old one by `commit`)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.new = self.path.with_name(self.path.name + ".new")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.new.unlink(missing_ok=True)
        self.conn = sqlite3.connect(self.new, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=OFF")
        self.conn.execute("PRAGMA synchronous=OFF")  # the file is moved into place only once complete
        self.conn.execute(SCHEMA)
        self.conn.execute("BEGIN")
        self.has_loaded = self.path.exists()
        if self.has_loaded:
            self.conn.execute("ATTACH DATABASE ? AS old", (str(self.path),))

    def node_count(self) -> int | None:
        """Nodes the last load left on the server (None: no manifest)."""
        if not self.has_loaded:
            return None
        labels = list(model().nodes)
        return self.conn.execute(f"SELECT count(*) FROM old.loaded WHERE tbl IN ({','.join('?' * len(labels))})",
                                 labels).fetchone()[0]

    def forget(self) -> None:
        """Send everything: the server does not hold what the manifest says."""
        if self.has_loaded:
            self.conn.execute("COMMIT")
            self.conn.execute("DETACH DATABASE old")
            self.conn.execute("BEGIN")
            self.has_loaded = False

    def add(self, table: str, key: str, start: str | None, row_digest: bytes) -> None:
        self.conn.execute("INSERT OR REPLACE INTO loaded VALUES (?, ?, ?, ?)", (table, key, start, row_digest))

    def changed(self, table: str) -> set[str]:
        """Keys of `table` whose rows are new or differ from those last sent."""
        return {key for (key,) in self.conn.execute(
            "SELECT key FROM loaded n WHERE tbl = ? AND NOT EXISTS "
            "(SELECT 1 FROM old.loaded o WHERE o.tbl = n.tbl AND o.key = n.key AND o.digest = n.digest)", (table,))}

    def gone(self, table: str) -> list[tuple[str, str | None]]:
        """(key, start key) of the rows of `table` last sent that the store no longer holds."""
        return self.conn.execute(
            "SELECT key, start FROM old.loaded o WHERE tbl = ? AND NOT EXISTS "
            "(SELECT 1 FROM loaded n WHERE n.tbl = o.tbl AND n.key = o.key) ORDER BY key", (table,)).fetchall()

    def commit(self) -> None:
        """The load succeeded: what was sent is now what the server holds."""
        self.conn.execute("COMMIT")
        if self.has_loaded:
            self.conn.execute("DETACH DATABASE old")
        self.conn.close()
        os.replace(self.new, self.path)

    def close(self) -> None:
        """The load did not finish: the manifest of the last load stands."""
        try:
            self.conn.close()
        finally:
            self.new.unlink(missing_ok=True)


def _tables() -> Iterator[tuple[str, bool]]:
    m = model()
    yield from ((label, True) for label in m.nodes)
    yield from ((rel_type, False) for rel_type in m.relationships)


def _rows(source, table: str, is_node: bool) -> Iterator[dict]:
    return node_rows(source, table) if is_node else relationship_rows(source, table)


def sync_plan(source, manifest: Manifest, batch_size: int) -> Iterator[Statement]:
    """Every statement a load from the store `source` (its rows) sends, given what
    `manifest` says was sent before; `manifest` records what is sent."""
    if batch_size < 1:
        raise KgError("batch size must be at least 1")
    yield from constraint_statements()
    if not manifest.has_loaded:  # one pass: every row sent, and digested for the next load
        for table, is_node in _tables():
            yield from _upserts(table, is_node, _recorded(source, table, is_node, manifest), batch_size)
        return
    for table, is_node in _tables():  # first every digest: what goes is known before anything is sent
        for _ in _recorded(source, table, is_node, manifest):
            pass
    m = model()
    for rel_type in m.relationships:
        rows = [{"from": start, "key": key} for key, start in manifest.gone(rel_type)]
        for batch in _batches(iter(rows), batch_size):
            yield Statement(delete_relationships(rel_type), {"rows": batch}, f"{rel_type} relationships gone",
                            len(batch), ("delete", rel_type))
    for label in m.nodes:
        keys = [key for key, _ in manifest.gone(label)]
        for batch in _batches(iter(keys), batch_size):
            yield Statement(delete_nodes(label), {"keys": batch}, f"{label} nodes gone", len(batch), ("delete", label))
    for table, is_node in _tables():
        changed = manifest.changed(table)
        if changed:
            yield from _upserts(table, is_node, (row for row in _rows(source, table, is_node) if row["key"] in changed),
                                batch_size)


def _recorded(source, table: str, is_node: bool, manifest: Manifest) -> Iterator[dict]:
    for row in _rows(source, table, is_node):
        manifest.add(table, row["key"], None if is_node else row["from"], digest(row))
        yield row


def _upserts(table: str, is_node: bool, rows: Iterator[dict], batch_size: int) -> Iterator[Statement]:
    cypher = upsert_node(table) if is_node else upsert_relationship(table)
    what = f"{table} {'nodes' if is_node else 'relationships'}"
    for batch in _batches(rows, batch_size):
        yield Statement(cypher, {"rows": batch}, what, len(batch), ("upsert", table))


def upsert_node(label: str) -> str:
    """A node as the store holds it, whatever the server held before."""
    sets = "".join(f", n.{p} = {row_value(p)}" for p in model().nodes[label])
    return (f"{merge_node(label)}SET n:{KG_LABEL}{sets}, "
            f"n.evidence = row.evidence, n.provenance = {_join_provenance('row.evidence')}")


def upsert_relationship(rel_type: str) -> str:
    sets = "".join(f", r.{p} = row.{p}" for p in model().relationships[rel_type]["properties"])
    return (f"{merge_relationship(rel_type)}"
            f"SET r.evidence = row.evidence, r.provenance = {_join_provenance('row.evidence')}{sets}")


def delete_relationships(rel_type: str) -> str:
    """Relationships by key, found from their start node (relationships have no index)."""
    start = model().relationships[rel_type]["from"]
    return f"UNWIND $rows AS row\nMATCH (:{start} {{key: row.from}})-[r:{rel_type} {{key: row.key}}]->()\nDELETE r"


def delete_nodes(label: str) -> str:
    return f"UNWIND $keys AS key\nMATCH (n:{label} {{key: key}})\nDETACH DELETE n"
