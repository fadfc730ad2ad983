"""The embedded store: LadybugDB (the maintained fork of Kùzu), one folder, no server.

The store is a derived artifact, rebuilt from the graph on every build:
  STORE/current -> db-<id>/       the database in use (a symlink, swapped atomically)
  STORE/db-<id>/graph.lbug        LadybugDB file
  STORE/db-<id>/graph.lbug.wal    its write-ahead log: changes of incremental builds not yet checkpointed
  STORE/db-<id>/build.json        counts, model and kg versions of that build
  STORE/cache/                    extraction records by document hash (kg.cache)
  STORE/statements.sqlite         what each notice states (kg.statements), for incremental builds
  STORE/.lock                     held by the one build writing this store
  STORE/kg-store.json             the marker: kg writes and deletes only in folders it made (kg.store_folder)
A full build writes a fresh database with COPY … FROM (LadybugDB 0.22 drops
relationships written with UNWIND … MERGE; its bulk loader keeps every row), checks that
node and relationship counts equal the graph's, and only then points `current` at it.
An incremental build (kg.incremental, EmbeddedStore.revise) changes a copy of the
current database with deletes by key and UNWIND … CREATE, leaving the changes in its
write-ahead log (every reader replays it; a log past WAL_LIMIT is checkpointed first),
checks its counts and reads back what it wrote, and points `current` at it the same way.
A build that fails or is killed leaves the previous database in use.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import StoreError
from kg.fileio import FULL_DISK, atomic_text, disk_errno
from kg.backends.read_only import check_read
from kg.bulk import BulkGraph, TableFile, write_table
import kg
from kg import statements, store_folder
from kg.cache import code_fingerprint
from kg.graph import Graph, Node, model

if TYPE_CHECKING:  # kg.incremental needs the resolver; reading a store does not
    from kg.incremental import Revision

DB_FILE = "graph.lbug"
WAL_FILE = DB_FILE + ".wal"  # LadybugDB's write-ahead log, beside the database
SHADOW_FILE = DB_FILE + ".shadow"  # pages of a checkpoint in progress (one left behind needs recovery)
STATEMENTS = statements.FILE  # what each notice states, for incremental builds
# LadybugDB's buffer pool, in bytes: the most memory it may take for pages (it takes
# what it needs; its other memory comes on top, about three quarters of this on a load).
# A query holds its whole result (reading the 2 M measures of 100 000 notices for an
# export needed more than 1 GB).
READ_BUFFER_POOL = int(os.environ.get("KG_READ_BUFFER_POOL", 4 * 1024 * 1024 * 1024))
# An export reads each table once, a window at a time, and holds no large result: a
# small pool bounds its memory (the 4 GB one filled with every page read, growing with
# the store).
EXPORT_BUFFER_POOL = int(os.environ.get("KG_EXPORT_BUFFER_POOL", 64 * 1024 * 1024))
WRITE_BUFFER_POOL = int(os.environ.get("KG_BUFFER_POOL", 1024 * 1024 * 1024))
# Rows (or characters) per COPY statement: each COPY is checkpointed, and a checkpoint
# rewrites the part of the table it touches, so fewer, larger COPYs are faster; but a
# COPY holds what it loads in memory (one COPY of 2 M citations did not fit in 1 GB).
COPY_ROWS = 500_000
COPY_CHARS = 100_000_000
# An incremental build leaves its changes in the database's write-ahead log, which every
# reader replays when it opens the store (about 0.03 s per MB); a build that finds the log
# past this size checkpoints it into the database first. A checkpoint rewrites each column
# of text it touches whole (2 s at 10 000 notices, however few the rows changed).
WAL_LIMIT = int(os.environ.get("KG_WAL_LIMIT", 8 * 1024 * 1024))


# The large tables are stored in one direction only: stored both ways a table is loaded
# twice, and the backward side of CITES (a regulation cited by 100 000 notices) was
# rewritten whole by every checkpoint. MATCH still walks them backwards (by a scan);
# OPTIONAL MATCH cannot, so kg's queries walk them forwards.
ONE_WAY = {"CITES", "RAISED_IN", "ANSWERS", "ORGANIZATION_CITES", "CO_CITED"}


class EmbeddedStore:
    name = "embedded"

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._thread = threading.local()  # each thread's session (bound)

    # -- layout ---------------------------------------------------------------
    @property
    def cache_dir(self) -> Path:
        return self.path / "cache"

    @property
    def current(self) -> Path | None:
        link = self.path / "current"
        return link.resolve() if link.is_symlink() and link.resolve().exists() else None

    def not_a_folder(self) -> StoreError | None:
        """The error for a store path that names a file, not a folder."""
        return store_folder.not_a_folder(self.path)

    def _no_graph(self) -> StoreError:
        if (not_a_folder := self.not_a_folder()) is not None:
            return not_a_folder
        if self.building():
            return StoreError(f"{self.path}: the first build of this store is still running; ask again when it ends")
        if self.path.is_dir() and not store_folder.is_store(self.path) and any(self.path.iterdir()):
            # kg build would refuse this folder (store_folder.claim): advising it would send the user round.
            return store_folder.NotAStore(f"{self.path}: not a kg store (it holds other files, and no "
                                          f"{store_folder.MARKER}); --db names the folder kg build made")
        return StoreError(f"{self.path}: no graph here yet; run `kg build NOTICES --db {self.path}`")

    def building(self) -> bool:
        """Whether a kg build holds this store's lock now."""
        try:
            with open(self.path / ".lock") as f:
                fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:
            return False
        return False

    def build_info(self) -> dict:
        current = self.current
        if current is None:
            raise self._no_graph()
        return json.loads((current / "build.json").read_text(encoding="utf-8"))

    def amend_info(self, **fields) -> dict:
        """The current build's build.json with `fields` changed (call inside lock())."""
        info = {**self.build_info(), **fields}
        with atomic_text(str(self.current / "build.json")) as f:
            f.write(json.dumps(info, ensure_ascii=False, indent=1))
        return info

    def origin(self) -> str | None:
        """What the graph in use came from, for messages: "built from 5 notices on
        2026-12-04" or "imported from seeds.ttl on 2026-12-04"; None if there is none."""
        if self.current is None:
            return None
        info = self.build_info()
        day = dt.datetime.strptime(info["build_id"][:8], "%Y%m%d").date().isoformat()
        if info.get("imported_from"):
            return f"imported from {info['imported_from']} on {day}"
        return f"built from {info.get('documents', info['nodes'].get('Document', 0))} notices on {day}"

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive right to write this store; a second writer fails at once."""
        store_folder.claim(self.path)  # a folder kg did not make is refused, never written
        with open(self.path / ".lock", "w") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(f"{self.path}: another kg build is writing this store; try again when it ends") from None
            self._remove_partial_builds()
            self._complete_pending_checkpoint()
            yield

    # -- writing --------------------------------------------------------------
    def write(self, graph: Graph | BulkGraph, extra: dict | None = None,
              tick: Callable[..., None] = lambda n=1: None) -> dict:
        """Write `graph` as a new database and swap it in. Call inside lock(). `tick(n)`
        counts rows as they are loaded."""

        build_id = _new_build_id()
        partial = self.path / f"db-{build_id}.partial"
        partial.mkdir()
        try:
            with _writing(partial / DB_FILE) as conn:
                self._create_tables(conn)
            rows_loaded, copy_seconds = self._copy(partial / DB_FILE, graph, partial / "csv", tick)
            with _writing(partial / DB_FILE) as conn:
                counts = self._verify(conn, *graph.counts())
            shutil.rmtree(partial / "csv", ignore_errors=True)
            info = self._swap_in(partial, build_id, counts, rows_loaded, copy_seconds, extra)
        except BaseException as e:
            refused = _refused_by_disk(e, partial)  # asked before the partial's space is freed
            shutil.rmtree(partial, ignore_errors=True)
            if refused is not None:
                raise refused from None
            raise
        return info

    def revise(self, prepare: Callable[[ConnectionView], Revision], extra: dict | None = None,
               tick: Callable[..., None] = lambda n=1: None) -> tuple[dict, Revision]:
        """Change a copy of the current database as `prepare` (given a view of it) says,
        check it, and swap it in. Call inside lock(). The copy's counts must equal the
        revision's expected ones and every row it recomputed must read back as computed,
        else the current database stays in use. The changes stay in the copy's write-ahead
        log; a log already past WAL_LIMIT is checkpointed first."""
        build_id = _new_build_id()
        partial = self.path / f"db-{build_id}.partial"
        partial.mkdir()
        wal = partial / WAL_FILE
        try:
            # The copy (and its checkpoint) run beside the revision being worked out on the
            # current database, read only: both let go of Python's lock while they work.
            with ThreadPoolExecutor(1) as pool:
                copied = pool.submit(_copy_checkpointed, self.current, partial)
                with _opened(self.current / DB_FILE, read_only=True, buffer_pool_size=READ_BUFFER_POOL) as conn:
                    revision = prepare(ConnectionView(conn))
                checkpointed = copied.result()
            # Three sessions: what one reads or writes stays in LadybugDB's buffer pool until
            # it closes (in one session, a checkpoint at 100 000 notices found the pool full).
            with _journaled(partial / DB_FILE) as conn:
                _delete(conn, revision)
                start = time.perf_counter()
                rows_loaded = _create(conn, revision.create, tick)
                copy_seconds = time.perf_counter() - start
            with _opened(partial / DB_FILE, read_only=True, buffer_pool_size=READ_BUFFER_POOL) as conn:
                counts = self._verify(conn, *revision.expected)
                self._check_rows(conn, revision.check, revision.check_relationships)
            info = self._swap_in(partial, build_id, counts, rows_loaded, copy_seconds,
                                 {**(extra or {}), "checkpointed": checkpointed, "wal_bytes": _size(wal)})
        except BaseException as e:
            refused = _refused_by_disk(e, partial)
            shutil.rmtree(partial, ignore_errors=True)
            if refused is not None:
                raise refused from None
            raise
        return info, revision

    def _swap_in(self, partial: Path, build_id: str, counts: tuple[dict, dict], rows_loaded: int,
                 copy_seconds: float, extra: dict | None) -> dict:
        info = {
            "build_id": build_id,
            "model_version": model().version,
            "kg_version": kg.__version__,
            "code": code_fingerprint(),  # of all that shapes rows (kg.cache): another kg's store is rebuilt
            "nodes": counts[0],
            "relationships": counts[1],
            "rows_loaded": rows_loaded,
            "copy_seconds": round(copy_seconds, 3),  # inside LadybugDB's COPY statements
            **(extra or {}),
        }
        (partial / "build.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
        final = self.path / f"db-{build_id}"
        os.replace(partial, final)
        self._point_current_at(final)
        return info

    def _check_rows(self, conn, nodes: dict[str, dict[str, dict]],
                    relationships: dict[str, list[tuple[str, str, str]]]) -> None:
        """What an incremental build recomputed, read back: every node row as computed, every
        relationship once. A write that did not land, or landed twice, fails the build."""
        view = ConnectionView(conn)
        for label, rows in nodes.items():
            stored = view.rows(label, sorted(rows))
            wrong = [key for key, row in rows.items() if stored.get(key) != row]
            if wrong:
                raise StoreError(f"{self.path}: {len(wrong)} {label} rows did not read back as written "
                                 f"(first: {wrong[0]!r}); the store was left as it was")
        for rel_type, wanted in relationships.items():
            stored = view.relationship_keys(rel_type, wanted)
            keys = [key for _, _, key in wanted]
            if sorted(stored) != sorted(keys):
                wrong = sorted(set(stored) ^ set(keys)) or sorted(k for k in set(stored) if stored.count(k) > 1)
                raise StoreError(f"{self.path}: {rel_type} {wrong[0]!r} is not in the store exactly once after the "
                                 f"build; the store was left as it was")

    def _create_tables(self, conn) -> None:
        m = model()
        for label in m.nodes:
            cols = ", ".join(f"{p} {t}" for p, t in m.node_properties(label).items())
            conn.execute(f"CREATE NODE TABLE {label}({cols}, PRIMARY KEY(key))")
        for rel_type, spec in m.relationships.items():
            cols = ", ".join(f"{p} {t}" for p, t in m.relationship_properties(rel_type).items())
            one_way = " WITH (storage_direction = 'fwd')" if rel_type in ONE_WAY else ""
            conn.execute(f"CREATE REL TABLE {rel_type}(FROM {spec['from']} TO {spec['to']}, {cols}){one_way}")

    def _copy(self, path: Path, graph: Graph | BulkGraph, folder: Path, tick: Callable[..., None]) -> tuple[int, float]:
        """Load every table's files, a few COPY statements per table, the database opened
        afresh for each (what LadybugDB holds after a COPY's checkpoint is let go: loading
        the 2 M citations of 100 000 notices in one session filled a 1 GB buffer pool).
        (rows loaded, seconds spent in COPY statements)."""
        from kg.backends.neo4j_files import cypher_literal

        total, seconds = 0, 0.0
        for table, files in _table_files(graph, folder):
            for group in _copy_groups([f for f in files if f.rows]):
                paths = cypher_literal([str(f.path) for f in group])  # a folder may be named "Li's notices"
                options = "header=true" + (", parallel=false" if any(f.multiline for f in group) else "")
                with _writing(path) as conn:
                    start = time.perf_counter()
                    try:
                        conn.execute(f"COPY {table} FROM {paths} ({options})")
                    except RuntimeError as e:
                        hint = (f"; give LadybugDB more memory: KG_BUFFER_POOL={2 * WRITE_BUFFER_POOL} (bytes)"
                                if "buffer pool is full" in str(e) else "")
                        raise StoreError(f"{self.path}: loading {table} failed: {e}{hint}") from None
                    seconds += time.perf_counter() - start
                rows = sum(f.rows for f in group)
                total += rows
                tick(rows)
        return total, seconds

    def _verify(self, conn, want_nodes: dict, want_rels: dict) -> tuple[dict, dict]:
        """Counts in the database must equal the graph's, label by label."""
        got_nodes, got_rels = _counts(conn)
        if got_nodes != dict(want_nodes) or got_rels != dict(want_rels):
            diff = {k: (want_nodes.get(k, want_rels.get(k)), v) for k, v in {**got_nodes, **got_rels}.items()
                    if v != want_nodes.get(k, want_rels.get(k))}
            raise StoreError(f"{self.path}: the database does not hold the graph (wanted, stored): {diff}")
        return got_nodes, got_rels

    def _point_current_at(self, final: Path) -> None:
        link = self.path / "current"
        tmp = self.path / f".current-{uuid.uuid4().hex[:8]}"
        os.symlink(final.name, tmp)
        os.replace(tmp, link)  # atomic: readers see the old database or the new one
        for old in store_folder.own(self.path, store_folder.BUILD_DIR):
            if old != final:
                shutil.rmtree(old, ignore_errors=True)

    def _complete_pending_checkpoint(self) -> None:
        """A checkpoint that failed half-way (once a read-only session could run one) leaves a
        shadow file, and LadybugDB opens the database read-only only after a read-write
        open completes it: the build, which holds the lock, does that open."""
        if self.current is not None and (self.current / SHADOW_FILE).exists():
            with _opened(self.current / DB_FILE, buffer_pool_size=WRITE_BUFFER_POOL):
                pass

    def _remove_partial_builds(self) -> None:
        for pattern in (store_folder.PARTIAL_BUILD, store_folder.SPILL_DIR):  # left by a killed build
            for partial in store_folder.own(self.path, pattern):
                shutil.rmtree(partial, ignore_errors=True)
        for partial in store_folder.own(self.path, store_folder.PARTIAL_STATEMENTS):
            partial.unlink(missing_ok=True)

    # -- reading --------------------------------------------------------------
    def readable(self) -> Path:
        """The database in use, checked readable by this kg (its model, no checkpoint
        waiting for recovery)."""
        current = self.current
        if current is None:
            raise self._no_graph()
        built_with = json.loads((current / "build.json").read_text(encoding="utf-8")).get("model_version")
        if built_with != model().version:
            raise StoreError(f"{self.path}: built with graph model {built_with}, this kg reads model "
                             f"{model().version}; rebuild it: kg build NOTICES --db {self.path}")
        if (current / SHADOW_FILE).exists():
            raise StoreError(f"{self.path}: a checkpoint that did not finish waits for recovery; run kg build on "
                             f"this store (it completes it): kg build NOTICES --db {self.path}")
        return current

    @contextlib.contextmanager
    def connect(self, buffer_pool_size: int = READ_BUFFER_POOL):
        with _opened(self.readable() / DB_FILE, read_only=True, buffer_pool_size=buffer_pool_size) as conn:
            yield conn

    @contextlib.contextmanager
    def session(self) -> Iterator[EmbeddedStore]:
        """Queries inside the block share one connection: opening the database costs more
        than most queries. The session is this thread's: other threads' queries go on
        using their own (kg serve's threads take theirs from kg.backends.read_pool)."""
        with self.connect() as conn, self.bound(conn):
            yield self

    @contextlib.contextmanager
    def bound(self, conn) -> Iterator[EmbeddedStore]:
        """This thread's queries inside the block go to `conn`, an open connection."""
        outer, self._thread.conn = getattr(self._thread, "conn", None), conn
        try:
            yield self
        finally:
            self._thread.conn = outer

    @contextlib.contextmanager
    def _reader(self):
        conn = getattr(self._thread, "conn", None)
        if conn is not None:
            yield conn
        else:
            with self.connect() as conn:
                yield conn

    def counts(self) -> tuple[dict, dict]:
        """(nodes per label, relationships per type), counted in the store."""
        with self._reader() as conn:
            return _counts(conn)

    def query(self, cypher: str, params: dict | None = None) -> tuple[list[str], list[list]]:
        """(column names, rows) of a statement that reads the graph (kg.backends.read_only
        refuses any other). Values reach the query only as parameters. LadybugDB sums
        integers as 128-bit (Decimal in Python); they come back as int, as from Neo4j."""
        return self._run(cypher, params, checked=True)[:2]

    def head(self, cypher: str, params: dict | None = None, limit: int = 1000) -> tuple[list[str], list[list], int]:
        """query()'s columns and first `limit` rows, and how many rows it has: a page that
        shows a thousand rows of a large result converts no others to Python (2-3 µs a value)."""
        return self._run(cypher, params, checked=True, limit=limit)

    def read(self, cypher: str, params: dict | None = None) -> tuple[list[str], list[list]]:
        """query() for kg's own statements, constants of its code (values only as parameters),
        run without kg.backends.read_only's check: its EXPLAIN costs a few ms a statement, and
        a page asks ten (the database is opened read-only all the same)."""
        return self._run(cypher, params, checked=False)[:2]

    def _run(self, cypher: str, params: dict | None, checked: bool,
             limit: int | None = None) -> tuple[list[str], list[list], int]:
        with self._reader() as conn:
            try:
                if checked:
                    check_read(conn, cypher, params)
                result = conn.execute(cypher, params or {})
            except RuntimeError as e:
                raise StoreError(f"query failed: {_explained(e)}") from None
            columns = result.get_column_names()
            rows = []
            while result.has_next() and (limit is None or len(rows) < limit):
                rows.append([int(v) if type(v) is Decimal else v for v in result.get_next()])
            return columns, rows, result.get_num_tuples()


def _refused_by_disk(e: BaseException, partial: Path) -> OSError | None:
    """LadybugDB's error when the disk refused its writes, as the OSError it stands for (the
    build says it in one line); it may name only a page it could not read back, so a disk
    left (nearly) full counts too."""
    if not isinstance(e, (RuntimeError, StoreError)):
        return None
    code = disk_errno(e)
    if code is None:
        with contextlib.suppress(OSError):
            code = errno.ENOSPC if shutil.disk_usage(partial).free < FULL_DISK else None
    return None if code is None else OSError(code, os.strerror(code), str(partial.parent))


def _new_build_id() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


class ConnectionView:
    """Rows of an open database by key (what kg.incremental.revise reads)."""

    def __init__(self, conn):
        self.conn = conn

    def rows(self, label: str, keys: list[str]) -> dict[str, dict]:
        """key → row of those of `keys` the store holds (found by primary key, one by one)."""
        if not keys:
            return {}
        props = list(model().node_properties(label))
        result = self.conn.execute(f"UNWIND $keys AS k MATCH (n:{label} {{key: k}}) RETURN "
                                   + ", ".join(f"n.{p}" for p in props), {"keys": keys})
        found = {}
        while result.has_next():
            row = dict(zip(props, result.get_next()))
            found[row["key"]] = row
        return found

    def keys_named(self, label: str, name: str) -> list[str]:
        """Keys of the nodes whose key, title or name is `name`."""
        names = [p for p in ("title", "name") if p in model().nodes[label]]
        result = self.conn.execute(f"MATCH (n:{label}) WHERE " + " OR ".join(f"n.{p} = $name" for p in ["key", *names])
                                   + " RETURN n.key", {"name": name})
        found = []
        while result.has_next():
            found.append(result.get_next()[0])
        return found

    def relationship_keys(self, rel_type: str, wanted: list[tuple[str, str, str]]) -> list[str]:
        """Of (start key, end key, key), the keys the store holds, once per relationship."""
        if not wanted:
            return []
        pattern, parameters = _by_start(rel_type, wanted)
        result = self.conn.execute(f"{pattern} RETURN r.key", parameters)
        found = []
        while result.has_next():
            found.append(result.get_next()[0])
        return found


def _by_start(rel_type: str, wanted: list[tuple[str, str, str]]) -> tuple[str, dict]:
    """(pattern, parameters) matching the relationships r of `wanted`, (start key, end key,
    key) each: found from their start node by primary key, each start node walked once
    for all its keys (a regulation may start 5 000 CO_CITED; walking it once per pair cost
    four times as much). A relationship's key is its identity within its type."""
    keys: dict[str, list[str]] = {}
    for start, _, key in wanted:
        keys.setdefault(start, []).append(key)
    spec = model().relationships[rel_type]
    return (f"UNWIND $wanted AS w MATCH (a:{spec['from']} {{key: w.start}})-[r:{rel_type}]->(b:{spec['to']}) "
            "WHERE list_contains(w.keys, r.key)", {"wanted": [{"start": s, "keys": k} for s, k in keys.items()]})


def _delete(conn, revision: Revision) -> None:
    """What a revision takes out, in an order that leaves nothing dangling: a notice's own
    nodes from the sources of the one-way tables inwards (deleting a node does not delete
    the one-way relationships that end at it), then shared relationships, then shared
    nodes no notice states any more; and the shared nodes whose properties changed. Every
    node is found by primary key; a relationship from its start node."""
    for label in ("Copy", "Measure", "Problem", "Document"):  # Copy → Document, Measure → Problem → Document
        if revision.local_nodes.get(label):
            conn.execute(f"UNWIND $keys AS k MATCH (n:{label} {{key: k}}) DETACH DELETE n",
                         {"keys": revision.local_nodes[label]})
    for rel_type, wanted in revision.delete_relationships.items():
        pattern, parameters = _by_start(rel_type, wanted)
        conn.execute(f"{pattern} DELETE r", parameters)
    for label, keys in revision.delete_nodes.items():
        conn.execute(f"UNWIND $keys AS k MATCH (n:{label} {{key: k}}) DETACH DELETE n", {"keys": keys})
    for label, rows in revision.set_nodes.items():
        values = _values(label)
        by_columns: dict[tuple[str, ...], list[dict]] = {}  # rows that set the same columns, in one statement
        for row in rows:
            by_columns.setdefault(tuple(c for c in values if c in row and c != "key"), []).append(row)
        for columns, group in by_columns.items():
            assignments = ", ".join(f"n.{c} = {values[c]}" for c in columns)
            for batch in _batches(label, group):
                conn.execute(f"UNWIND $rows AS r MATCH (n:{label} {{key: {values['key']}}}) SET {assignments}",
                             {"rows": batch})


CREATE_BATCH = 5000  # rows per CREATE statement


def _create(conn, rows: dict[str, list[dict]], tick: Callable[..., None]) -> int:
    """Create the rows of each table, nodes first, with UNWIND … CREATE (complete, unlike
    UNWIND … MERGE; the caller checks counts anyway). Returns the rows created."""
    m = model()
    total = 0
    for table in (*m.nodes, *m.relationships):
        values = _values(table)
        properties = ", ".join(f"{c}: {v}" for c, v in values.items() if c not in ("from", "to"))
        if table in m.nodes:
            statement = f"UNWIND $rows AS r CREATE (n:{table} {{{properties}}})"
        else:
            spec = m.relationships[table]
            statement = (f"UNWIND $rows AS r MATCH (a:{spec['from']} {{key: {values['from']}}}) "
                         f"MATCH (b:{spec['to']} {{key: {values['to']}}}) CREATE (a)-[:{table} {{{properties}}}]->(b)")
        for batch in _batches(table, rows.get(table, [])):
            conn.execute(statement, {"rows": batch})
            total += len(batch)
            tick(len(batch))
    return total


def _values(table: str) -> dict[str, str]:
    """column → its value in a row of _batches, cast to the column's type."""
    m = model()
    types = m.node_properties(table) if table in m.nodes else m.relationship_properties(table)
    return {c: f"CAST(r.c{i} AS INT64)" if types.get(c) == "INT64" else f"r.c{i}" for i, c in enumerate(m.columns(table))}


def _batches(table: str, rows: list[dict]) -> Iterator[list[dict]]:
    """Rows as parameters, CREATE_BATCH at a time: every value text or null (a column of
    nulls alone would leave its type unknown), in fields c0, c1 … (no reserved words)."""
    columns = model().columns(table)
    for start in range(0, len(rows), CREATE_BATCH):
        yield [{f"c{i}": None if row.get(c) is None else str(row[c]) for i, c in enumerate(columns)}
               for row in rows[start:start + CREATE_BATCH]]


def _writing(path: Path):
    """A connection to the database being built. No WAL checksums: a build that dies is
    discarded whole, never replayed."""
    return _opened(path, buffer_pool_size=WRITE_BUFFER_POOL, enable_checksums=False)


def _copy_checkpointed(current: Path, partial: Path) -> bool:
    """Copy the database in `current` and its write-ahead log to `partial`; checkpoint the
    copy if its log is past WAL_LIMIT. Whether it did."""
    for name in (DB_FILE, WAL_FILE):
        if (current / name).exists():
            shutil.copyfile(current / name, partial / name)
    if _size(partial / WAL_FILE) <= WAL_LIMIT:
        return False
    with _journaled(partial / DB_FILE) as conn:
        conn.execute("CHECKPOINT")
    return True


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


@contextlib.contextmanager
def _journaled(path: Path):
    """A connection whose changes stay in the write-ahead log (no checkpoint on closing),
    with checksums: readers replay it."""
    with _opened(path, buffer_pool_size=WRITE_BUFFER_POOL, auto_checkpoint=False) as conn:
        conn.execute("CALL force_checkpoint_on_close=false")
        yield conn


def _explained(error: RuntimeError) -> str:
    """LadybugDB's message, with what to do where it names a one-way table."""
    one_way = re.search(r'Failed to get bwd data for rel table "(\w+)"', str(error))
    if one_way is None:
        return str(error)
    rel_type = one_way.group(1)
    start, end = model().relationships[rel_type]["from"], model().relationships[rel_type]["to"]
    # Writing the arrow the other way round is not enough: what fails is walking from an end
    # node matched before. Advise whole clauses that run (tests/test_first_use.py runs them).
    return (f"{rel_type} is stored one way in the embedded store, and OPTIONAL MATCH (or an EXISTS or COUNT "
            f"subquery) cannot walk it from a {end} matched before to its {start}; start from the {start}: "
            f"`MATCH (a:{start}) OPTIONAL MATCH (a)-[:{rel_type}]->(b:{end})`, or, where every row has one, "
            f"use MATCH, which walks it either way: `MATCH (b:{end})<-[:{rel_type}]-(a:{start})`")


@contextlib.contextmanager
def _opened(path: Path, **options):
    """A connection to the database at `path`, closed with its database on leaving."""
    import ladybug

    db = ladybug.Database(str(path), **options)
    conn = ladybug.Connection(db)
    try:
        yield conn
    finally:
        conn.close()
        db.close()


def _copy_groups(files: list[TableFile]) -> Iterator[list[TableFile]]:
    """Consecutive files, up to COPY_ROWS rows or COPY_CHARS characters per group."""
    group: list[TableFile] = []
    rows = chars = 0
    for f in files:
        if group and (rows + f.rows > COPY_ROWS or chars + f.chars > COPY_CHARS):
            yield group
            group, rows, chars = [], 0, 0
        group.append(f)
        rows, chars = rows + f.rows, chars + f.chars
    if group:
        yield group


def _counts(conn) -> tuple[dict, dict]:
    """(nodes per label, relationships per type) as the database holds them."""
    m = model()

    def scalar(query: str) -> int:
        return conn.execute(query).get_next()[0]

    return ({label: scalar(f"MATCH (n:{label}) RETURN count(n)") for label in m.nodes},
            {t: scalar(f"MATCH ()-[r:{t}]->() RETURN count(r)") for t in m.relationships})


def _table_files(graph: Graph | BulkGraph, folder: Path) -> Iterator[tuple[str, list[TableFile]]]:
    """(table, CSV files to COPY) for every table; a BulkGraph has written them already."""
    if isinstance(graph, BulkGraph):
        yield from graph.table_files()
        return
    folder.mkdir()
    m = model()
    for label in m.nodes:
        yield label, [write_table(folder / f"{label}.csv", m.columns(label), graph.rows(label))]
    for rel_type in m.relationships:
        yield rel_type, [write_table(folder / f"{rel_type}.csv", m.columns(rel_type), graph.relationship_rows(rel_type))]


class StoreRows:
    """Rows of an open store, label by label, as dicts one at a time.

    Read a window of PAGE internal ids at a time (offset(id(n)) from 0 to the largest):
    LadybugDB holds a query's whole result, so one query per label made an export's
    memory grow with the store. LadybugDB 0.22 scans just the window, so a label costs
    one scan in all; paging by key (WHERE key > last ORDER BY key LIMIT) scanned and
    sorted the table again for every page (4-10x the time at 10 000 notices, worse
    beyond). Offsets are unique within a table, so the windows give every row exactly
    once, in the store's order (not key order: a build writes notice by notice)."""

    PAGE = int(os.environ.get("KG_EXPORT_PAGE", 20_000))

    def __init__(self, conn, page: int | None = None):
        self.conn = conn
        self.page = page or self.PAGE

    def counts(self) -> tuple[dict, dict]:
        return _counts(self.conn)

    def rows(self, label: str) -> Iterator[dict]:
        props = list(model().node_properties(label))
        yield from self._paged(f"MATCH (n:{label})", "n", label, ", ".join(f"n.{p}" for p in props), props)

    def relationship_rows(self, rel_type: str) -> Iterator[dict]:
        """Windows of start nodes: a window of relationships' own ids made LadybugDB join
        whole node tables in its buffer pool (growing with the store); from a window of
        start nodes it follows their edges. Each relationship has one start node, so it
        comes once. The window holds about PAGE relationships on average."""
        spec = model().relationships[rel_type]
        props = list(model().relationship_properties(rel_type))
        starts = self.conn.execute(f"MATCH (a:{spec['from']}) RETURN count(a)").get_next()[0]
        total = self.conn.execute(f"MATCH ()-[r:{rel_type}]->() RETURN count(r)").get_next()[0]
        window = max(1, self.page * starts // max(total, 1))
        yield from self._paged(f"MATCH (a:{spec['from']})-[r:{rel_type}]->(b:{spec['to']})", "a", spec["from"],
                               "a.key, b.key, " + ", ".join(f"r.{p}" for p in props), ["from", "to", *props],
                               window=window, order="r")

    def _paged(self, match: str, var: str, label: str, columns: str, names: list[str], window: int | None = None,
               order: str | None = None) -> Iterator[dict]:
        window, order = window or self.page, order or var
        last = self.conn.execute(f"MATCH ({var}:{label}) RETURN max(offset(id({var})))").get_next()[0]
        for start in range(0, -1 if last is None else last + 1, window):
            result = self.conn.execute(f"{match} WHERE offset(id({var})) >= {start} AND offset(id({var})) < "
                                       f"{start + window} RETURN offset(id({order})), {columns}")
            page = []
            while result.has_next():
                page.append(result.get_next())
            page.sort(key=lambda values: values[0])  # the store's order, whatever the engine's plan
            for values in page:
                yield dict(zip(names, values[1:]))


def read_graph(store: EmbeddedStore) -> Graph:
    """The store's graph back in memory, provenance included (for exports)."""
    m = model()
    graph = Graph()
    with store.connect() as conn:
        rows = StoreRows(conn)
        for label in m.nodes:
            for row in rows.rows(label):
                key, prov = row.pop("key"), row.pop("provenance")
                graph.nodes[(label, key)] = Node(label, key, row, json.loads(prov or "[]"))
        for rel_type, spec in m.relationships.items():
            for row in rows.relationship_rows(rel_type):
                a, b, key, prov = row.pop("from"), row.pop("to"), row.pop("key"), row.pop("provenance")
                graph.add_relationship(rel_type, (spec["from"], a), (spec["to"], b), row, key=key)
                graph.relationships[(rel_type, key)].provenance = json.loads(prov or "[]")
    return graph
