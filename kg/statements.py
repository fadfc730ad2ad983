"""What each notice states about shared nodes and relationships, kept beside the store
(STORE/statements.sqlite) so that a later build recomputes only what changed.

A shared node's row (an organization, a regulation) is a function of the statements of
every notice naming it: its properties (kg.graph: the smallest hash stating one wins),
its evidence (the first EVIDENCE_LIMIT kept, DERIVED properties from all of it). When a
notice is added, edited or removed, the rows of the items it states are recomputed from
the statements of the notices that remain; nothing else is read. Also kept: the source
files (size and modification time, so that unchanged files are not even read), each
notice's per-notice row counts and node keys, the regulations each notice cites, the
CO_CITED pairs the store holds, and every source's place among the copies (kg.copies:
which notice it carries, its signature and guard, what its Copy node says), so that a
later build places the sources again without reading them.

The file names the build it belongs to (meta build_id): a file that does not match the
store's current build is never used (the next build is a full one).
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.graph import EVIDENCE_LIMIT

FILE = "statements.sqlite"
VERSION = "4"  # of the layout below: a file of another version is not read (the next build is full)
SCHEMA = """
CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE notice(doc TEXT PRIMARY KEY, source TEXT, local TEXT);
CREATE TABLE source(path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, doc TEXT);
CREATE TABLE item(id INTEGER, tbl TEXT, key TEXT);
CREATE TABLE node(item INTEGER, doc TEXT, stated_by TEXT, props TEXT);
CREATE TABLE rel(item INTEGER, doc TEXT, definition TEXT);
CREATE TABLE evidence(item INTEGER, doc TEXT, body TEXT);
CREATE TABLE cites(doc TEXT, reg TEXT);
CREATE TABLE co_cited(key TEXT PRIMARY KEY);
CREATE TABLE copy(source TEXT PRIMARY KEY, doc TEXT, similarity REAL, first INTEGER, sig BLOB, guard TEXT, info TEXT,
                  curated TEXT);
"""
INDEXES = """
DELETE FROM item WHERE rowid NOT IN (SELECT min(rowid) FROM item GROUP BY id);
CREATE UNIQUE INDEX item_id ON item(id);
CREATE INDEX node_item ON node(item, stated_by); CREATE INDEX node_doc ON node(doc);
CREATE INDEX rel_item ON rel(item); CREATE INDEX rel_doc ON rel(doc);
CREATE INDEX evidence_item ON evidence(item); CREATE INDEX evidence_doc ON evidence(doc);
CREATE INDEX cites_reg ON cites(reg); CREATE INDEX cites_doc ON cites(doc);
CREATE INDEX source_doc ON source(doc); CREATE INDEX copy_doc ON copy(doc);
"""
STATEMENT_TABLES = ("node", "rel", "evidence")
COPY_INFO = ("sha256", "encoding", "media_type", "published", "url", "fetched")  # of kg.copies.Source


def item_id(table: str, key: str) -> int:
    """A 63-bit number for (table, key): no dictionary of every key in memory."""
    return int.from_bytes(hashlib.blake2b(f"{table}\t{key}".encode(), digest_size=8).digest(), "big") >> 1


BATCH = 256  # notices whose rows are inserted together


@dataclass
class Rows:
    """Statement rows waiting to be inserted (made in kg.bulk.pack, in the worker)."""
    items: dict = field(default_factory=dict)  # (table, key) → (number, table, key)
    nodes: list = field(default_factory=list)  # (item number, doc, stated by, properties JSON)
    relationships: list = field(default_factory=list)  # (item number, doc, [start, end, properties] JSON)
    evidence: list = field(default_factory=list)  # (item number, doc, evidence JSON)
    notices: list = field(default_factory=list)
    cites: list = field(default_factory=list)
    copies: list = field(default_factory=list)  # copy table rows (Statements.add_copy)

    def item(self, table: str, key: str) -> int:
        found = self.items.get((table, key))
        if found is None:
            found = self.items[(table, key)] = (item_id(table, key), table, key)
        return found[0]

    def extend(self, other: Rows) -> None:
        self.items.update(other.items)
        self.nodes.extend(other.nodes)
        self.relationships.extend(other.relationships)
        self.evidence.extend(other.evidence)


class Statements:
    def __init__(self, path: Path, create: bool = False):
        self.path = Path(path)
        if create:
            self.path.unlink(missing_ok=True)
        elif not self.path.exists():
            raise FileNotFoundError(self.path)
        self.conn = sqlite3.connect(self.path, isolation_level=None)  # transactions said explicitly
        self._pending = Rows()
        self.conn.execute("PRAGMA synchronous=OFF")  # the file is checked against the store, never trusted alone
        if create:
            self.conn.execute("PRAGMA journal_mode=OFF")  # a new file: a failed build discards it whole
            self.conn.executescript(SCHEMA)
            self.conn.execute("INSERT INTO meta VALUES ('version', ?)", (VERSION,))
            self.conn.execute("BEGIN")

    # -- the build that made it ------------------------------------------------
    @property
    def build_id(self) -> str | None:
        """The build these statements belong to; None for a file of another layout."""
        try:
            meta = dict(self.conn.execute("SELECT name, value FROM meta"))
        except sqlite3.DatabaseError:
            return None
        return meta.get("build_id") if meta.get("version") == VERSION else None

    def set_build_id(self, build_id: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('build_id', ?)", (build_id,))

    def finish(self) -> None:
        """After a full build's notices: commit, and index."""
        self.flush()
        self.conn.executescript(INDEXES)  # commits what was added first

    def close(self) -> None:
        self.conn.close()

    # -- writing ----------------------------------------------------------------
    def add(self, packed) -> None:
        """One notice's statements (a kg.bulk.Packed, whose rows the worker made); they
        reach the file in batches (flush)."""
        local = {"rows": {t: rows for t, (rows, _) in packed.csv.items()}, "keys": packed.local_keys}
        self._pending.notices.append((packed.doc, packed.source, json.dumps(local, ensure_ascii=False)))
        self._pending.extend(packed.statements)
        self._pending.cites.extend((packed.doc, reg) for reg in set(packed.cited))
        if len(self._pending.notices) >= BATCH:
            self.flush()

    def flush(self) -> None:
        rows, self._pending = self._pending, Rows()
        self.conn.executemany("INSERT INTO notice VALUES (?, ?, ?)", rows.notices)
        self.conn.executemany("INSERT OR IGNORE INTO item VALUES (?, ?, ?)", rows.items.values())
        self.conn.executemany("INSERT INTO node VALUES (?, ?, ?, ?)", rows.nodes)
        self.conn.executemany("INSERT INTO rel VALUES (?, ?, ?)", rows.relationships)
        self.conn.executemany("INSERT INTO evidence VALUES (?, ?, ?)", rows.evidence)
        self.conn.executemany("INSERT INTO cites VALUES (?, ?)", rows.cites)
        self.conn.executemany("INSERT OR REPLACE INTO copy VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows.copies)

    def add_copy(self, src, place, curated: list[int] = ()) -> None:
        """A source (a kg.copies.Source), its place (kg.copies.Place: the notice it carries)
        and the lines of the curation file that changed its record."""
        info = {f: getattr(src, f) for f in COPY_INFO}
        self._pending.copies.append((src.source, place.doc, place.similarity, place.first, src.signature,
                                     json.dumps(src.guard, ensure_ascii=False), json.dumps(info, ensure_ascii=False),
                                     json.dumps(sorted(curated))))

    def add_sources(self, sources: Iterable[tuple[str, int, int, str]]) -> None:
        """(path, size, modification time in ns, document hash) of files read."""
        self.conn.executemany("INSERT OR REPLACE INTO source VALUES (?, ?, ?, ?)", sources)

    def remove(self, docs: Iterable[str]) -> None:
        docs = list(docs)
        for table in (*STATEMENT_TABLES, "cites", "notice", "copy"):
            self.conn.executemany(f"DELETE FROM {table} WHERE doc = ?", [(d,) for d in docs])

    def set_co_cited(self, added: Iterable[str], removed: Iterable[str] = ()) -> None:
        """Keep the keys of the CO_CITED relationships the store holds."""
        self.conn.executemany("DELETE FROM co_cited WHERE key = ?", [(k,) for k in removed])
        self.conn.executemany("INSERT INTO co_cited VALUES (?)", [(k,) for k in added])

    def co_cited(self, keys: Iterable[str]) -> set[str]:
        """Those of `keys` the store holds as CO_CITED relationships."""
        return {k for k in keys if self.conn.execute("SELECT 1 FROM co_cited WHERE key = ?", (k,)).fetchone()}

    def forget_sources(self, paths: Iterable[str]) -> None:
        self.conn.executemany("DELETE FROM source WHERE path = ?", [(p,) for p in paths])

    # -- reading ----------------------------------------------------------------
    def sources(self) -> dict[str, tuple[int, int, str]]:
        """path → (size, modification time in ns, document hash)."""
        return {path: (size, mtime, doc) for path, size, mtime, doc in self.conn.execute("SELECT * FROM source")}

    def notices(self) -> dict[str, str]:
        """document hash → the source its Document row names."""
        return dict(self.conn.execute("SELECT doc, source FROM notice"))

    def copies(self) -> dict:
        """source → (its kg.copies.Source, its kg.copies.Place, the curation lines that
        changed its record), for every source of the build."""
        from kg.copies import Place, Source

        found = {}
        for source, doc, sim, first, sig, guard, info, curated in self.conn.execute("SELECT * FROM copy"):
            *fields, titles = json.loads(guard)
            found[source] = (Source(source=source, signature=sig, guard=(*fields, tuple(titles)), **json.loads(info)),
                             Place(doc, sim, bool(first)), json.loads(curated))
        return found

    def copies_of(self, docs: Iterable[str]) -> list[str]:
        """The sources that are copies of these notices (not the source each Document names)."""
        return [source for d in docs
                for (source,) in self.conn.execute("SELECT source FROM copy WHERE doc = ? AND NOT first", (d,))]

    def notice_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM notice").fetchone()[0]

    def local(self, docs: Iterable[str]) -> tuple[Counter, dict[str, list[str]]]:
        """(rows of the per-notice tables — Document, Problem, CITES … — these notices made,
        label → keys of their per-notice nodes)."""
        rows, keys = Counter(), {}
        for d in docs:
            (local,) = self.conn.execute("SELECT local FROM notice WHERE doc = ?", (d,)).fetchone()
            local = json.loads(local)
            rows.update(local["rows"])
            for label, found in local["keys"].items():
                keys.setdefault(label, []).extend(found)
        return rows, keys

    def items_of(self, docs: Iterable[str]) -> set[tuple[str, str]]:
        """(table, key) of every shared item these notices state."""
        found = set()
        for d in docs:
            for table in STATEMENT_TABLES:
                found.update(self.conn.execute(
                    f"SELECT item.tbl, item.key FROM {table} JOIN item ON item.id = {table}.item WHERE {table}.doc = ?",
                    (d,)))
        return found

    def node_properties(self, table: str, key: str) -> dict | None:
        """A shared node's properties as a full build merges them (kg.graph: each from the
        smallest hash stating one; statements made without a notice last); None if no
        notice states the node. Notices mostly agree: each different statement is read
        once, with the smallest hash that made it."""
        props: dict | None = None
        for (stated,) in self.conn.execute(
                "SELECT props FROM node WHERE item = ? GROUP BY props ORDER BY min((stated_by = '') || stated_by)",
                (item_id(table, key),)):
            stated = json.loads(stated)
            if props is None:
                props = stated
            else:
                props.update({p: v for p, v in stated.items() if v is not None and props.get(p) is None})
        return props

    def kept_evidence(self, table: str, key: str) -> list[str]:
        """kg.graph.kept_evidence of an item's evidence, sorted and cut in SQLite."""
        return [body for (body,) in self.conn.execute(
            "SELECT DISTINCT body FROM evidence WHERE item = ? ORDER BY body LIMIT ?", (item_id(table, key), EVIDENCE_LIMIT))]

    def distinct_evidence(self, table: str, key: str, field: str) -> set[str]:
        """The distinct values of one field ("doc" or "quote") of an item's evidence, as
        kg.resolve.DERIVED reads them (found in SQLite: a regulation cited by 75 000 notices
        has as many pieces of evidence, and a few dozen quotes)."""
        column = {"doc": "doc", "quote": "json_extract(body, '$.quote')"}[field]
        return {value for (value,) in self.conn.execute(f"SELECT DISTINCT {column} FROM evidence WHERE item = ?",
                                                         (item_id(table, key),))}

    def endpoints(self, table: str, keys: Iterable[str]) -> dict[str, tuple[str, str]]:
        """key → (start key, end key) of those of `keys` some notice states as a relationship."""
        found = {}
        for key in keys:
            row = self.conn.execute("SELECT definition FROM rel WHERE item = ? LIMIT 1", (item_id(table, key),)).fetchone()
            if row:
                start, end, _ = json.loads(row[0])
                found[key] = (start, end)
        return found

    def first_rel_statement(self, table: str, key: str) -> list | None:
        """[start, end, props] as the notice with the smallest hash states the relationship;
        None if no notice does."""
        row = self.conn.execute("SELECT definition FROM rel WHERE item = ? ORDER BY doc LIMIT 1",
                                (item_id(table, key),)).fetchone()
        return json.loads(row[0]) if row else None

    def cited(self, docs: Iterable[str]) -> dict[str, list[str]]:
        """document → the regulations it cites."""
        found: dict[str, list[str]] = {}
        for d in docs:
            found[d] = [reg for (reg,) in self.conn.execute("SELECT reg FROM cites WHERE doc = ?", (d,))]
        return found

    def citing(self, regulations: Iterable[str]) -> dict[str, set[str]]:
        """regulation → the notices citing it."""
        return {reg: {d for (d,) in self.conn.execute("SELECT doc FROM cites WHERE reg = ?", (reg,))}
                for reg in regulations}
