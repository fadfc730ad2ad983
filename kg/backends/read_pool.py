"""A few read-only connections to a store's database, for threads that ask at once (kg serve).

LadybugDB serves several Connections from one Database, each used by one thread at a
time; a query runs in the engine without Python's lock, so the threads' queries run side
by side, sharing one buffer pool. Opening the database costs more than most pages'
queries (a reader opens a store of 10 000 notices in 0.13 s), so the connections stay
open between requests. A build that points the store at a new database (`current`) is
followed: the next session opens the new one, and the old one is closed when the last
session using it ends.
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

from kg.backends.embedded import DB_FILE, READ_BUFFER_POOL, EmbeddedStore
from kg.errors import StoreError


class Busy(StoreError):
    """Every connection stayed taken for as long as a session waits for one."""


class _Database:
    """One build's database and its connections, idle or in use (the pool's lock guards it)."""

    def __init__(self, folder: Path, buffer_pool_size: int):
        import ladybug

        self.folder, self.busy, self.idle = folder, 0, []
        self.db = ladybug.Database(str(folder / DB_FILE), read_only=True, buffer_pool_size=buffer_pool_size)

    def take(self):
        import ladybug

        self.busy += 1
        return self.idle.pop() if self.idle else ladybug.Connection(self.db)

    def close(self) -> None:
        for conn in self.idle:
            conn.close()
        self.idle = []
        self.db.close()


class ReadPool:
    """At most `size` sessions at once over one read-only database of `store`; a session
    waits up to `wait` seconds for a connection, then raises Busy."""

    def __init__(self, store: EmbeddedStore, size: int = 4, wait: float = 30.0,
                 buffer_pool_size: int = READ_BUFFER_POOL):
        if size < 1:
            raise ValueError("a pool needs at least one connection")
        self.store, self.size, self.wait, self.buffer_pool_size = store, size, wait, buffer_pool_size
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._database: _Database | None = None

    @contextlib.contextmanager
    def session(self, timeout_ms: int = 0) -> Iterator[EmbeddedStore]:
        """The store, this thread's queries going to one connection of the pool until the
        block ends; each query interrupted after `timeout_ms` (0: never)."""
        if not self._slots.acquire(timeout=self.wait):
            raise Busy(f"{self.store.path}: all {self.size} connections stayed busy for {self.wait:g} s")
        try:
            database, conn = self._take()
            try:
                if timeout_ms:
                    conn.set_query_timeout(timeout_ms)
                with self.store.bound(conn):
                    yield self.store
            finally:
                if timeout_ms:
                    conn.set_query_timeout(0)
                self._give(database, conn)
        finally:
            self._slots.release()

    def _take(self):
        with self._lock:
            if self._database is None or self._database.folder != self.store.current:
                fresh = _Database(self.store.readable(), self.buffer_pool_size)
                old, self._database = self._database, fresh
                if old is not None and not old.busy:
                    old.close()
            return self._database, self._database.take()

    def _give(self, database: _Database, conn) -> None:
        with self._lock:
            database.busy -= 1
            if database is self._database:
                database.idle.append(conn)
                return
            conn.close()  # a newer build is in use: this database goes once its sessions end
            if not database.busy:
                database.close()

    def close(self) -> None:
        """Close the database now, or, if sessions still use it, when the last one ends."""
        with self._lock:
            old, self._database = self._database, None
            if old is not None and not old.busy:
                old.close()
