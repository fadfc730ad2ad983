"""Notices → graph → embedded store: the `kg build` pipeline.

Reads every input, takes its record from the cache when the bytes are unchanged
(extracting otherwise), turns it into its notice's graph, all in `workers` processes if
asked, and merges each graph as it arrives (records are not kept; see kg.bulk), then
writes the store. A document that fails is reported and left out; the others are built.
The graph is the same whatever the number of workers or the order of the inputs.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import signal
import sqlite3
import tempfile
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg import feeds
from kg.cache import ExtractionCache
from kg.copies import Grouping, copy_graph, earlier_published, source_of
from kg.corpus import Corpus, corpus_of
from kg.curation import Curation
from kg.errors import InputError, KgError, none_read, printable
from kg.fileio import disk_error
from kg.bulk import BulkGraph, pack_record
from kg.graph import Graph
from kg.extract import extract
import kg.incremental as incremental
from kg.incremental import describe, file_state, find_changes, previous_statements, revise
from kg.read import read_source
from kg.resolve import DERIVED, add_record, finish
from kg.statements import FILE as STATEMENTS, Statements


class NothingToBuild(KgError):
    """No notice could be read: the build writes nothing."""

    def __init__(self, message: str, failures: list[InputError] | None = None):
        super().__init__(message)
        self.failures = failures or []


@dataclass
class BuildReport:
    documents: int = 0  # notices in the store (read this time or, incrementally, standing)
    copies: int = 0  # files read this time that are copies of another notice (kg.copies)
    extracted: int = 0  # read from text this time
    cached: int = 0  # taken from the cache
    failures: list[InputError] = field(default_factory=list)
    info: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)  # {"graph": reading to merging, "write": the store}
    curated: Counter = field(default_factory=Counter)  # curation file line → notices it changed
    changes: object | None = None  # kg.incremental.Changes, when the build was incremental
    full_because: str | None = None  # why a store that existed was rebuilt in full
    written: Counter = field(default_factory=Counter)  # "nodes"/"relationships" → rows written
    deleted: Counter = field(default_factory=Counter)


def extract_document(doc) -> dict:
    """extract(), with any failure of ours turned into an InputError naming the file, so
    that one unusual document never stops a run."""
    try:
        return extract(doc)
    except Exception as e:  # a bug of ours on unusual text: report it, keep going
        raise InputError(doc.source, f"extraction failed ({type(e).__name__}: {e}); please report this file") from e


def _record(job: tuple[str, str, str | None, bool | str, Curation | None]) -> tuple[str, object, bool, list[int]]:
    """("ok", record, from_cache, curation lines applied) or ("error", (source, reason), False, [])
    for one file; with `packed` True, the record's graph packed for a BulkGraph instead of
    the record (with its copy signature, kg.copies); with "signed", (record, its
    kg.copies.Source). Runs in workers, so it returns plain values rather than raising."""
    source, name, cache_folder, packed, curation = job
    try:
        record, cached, text = _read_record(source, name, cache_folder)
        lines: list[int] = []
        if curation is not None:  # after the cache: a changed curation file re-extracts nothing
            record, lines = curation.apply(record)
        if not packed:
            return "ok", record, cached, lines
        try:
            copy = source_of(text, record)  # after curation: the guard reads the curated issuer
            if packed == "signed":
                return "ok", (record, copy), cached, lines
            packed = pack_record(record, copy)
            packed.curated = lines
            return "ok", packed, cached, lines
        except Exception as e:  # a bug of ours on an unusual record: report it, keep going
            raise InputError(source, f"building its graph failed ({type(e).__name__}: {e}); please report this file") from e
    except InputError as e:  # it names what failed: a file, or a feed's file and item
        return "error", (e.source, e.reason), False, []


def _read_record(source: str, name: str, cache_folder: str | None) -> tuple[dict, bool, str]:
    """(record, whether it came from the cache, the text read), its source `name` (kg.corpus)."""
    doc = read_source(source)
    cache = ExtractionCache(Path(cache_folder)) if cache_folder else None
    if cache is not None and (cached := cache.get(doc.sha256, name)) is not None:
        cached.update(url=doc.url, fetched=doc.fetched)  # the same bytes may be another page's copy
        return cached, True, doc.text
    record = extract_document(doc)
    record["source"] = name
    if cache is not None:
        cache.put(record)
    return record, False, doc.text


def iter_records(sources: list[str], cache_folder: Path | None, report: BuildReport, workers: int = 1,
                 tick: Callable[..., None] = lambda n=1: None, packed: bool = False,
                 curation: Curation | None = None, corpus: Corpus | None = None) -> Iterator:
    """Records (or with `packed`, kg.bulk.Packed graphs) in input order, with `curation`
    applied, each naming its source by its name in `corpus` (else the path as given);
    failures go to report.failures, naming the path as given."""
    name = corpus.name if corpus is not None else printable
    jobs = [(s, name(s), str(cache_folder) if cache_folder else None, packed, curation) for s in sources]
    if workers > 1 and len(jobs) > 1:
        # Forked while Ctrl-C is ignored, so that no worker starts able to take it (only the
        # main thread may set a handler; elsewhere the initializer alone does).
        main = threading.current_thread() is threading.main_thread()
        interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            pool = multiprocessing.get_context("fork").Pool(workers, initializer=_worker_started)
        finally:
            if main:
                signal.signal(signal.SIGINT, interrupt)
        with pool:  # Ctrl-C stops the parent, whose leaving terminates the pool
            yield from _collect(jobs, _in_order(pool, jobs), report, tick)
    else:
        yield from _collect(jobs, map(_record, jobs), report, tick)


def _in_order(pool, jobs: list, chunk: int = 8, ahead: int = 64) -> Iterator:
    """The results of _record over `jobs` in their order, with at most `ahead` chunks in
    the workers' hands. Pool.imap sends every job at once and keeps every result until it
    is taken: where the main process is slower than the workers (placing copies, writing
    the store), its memory grew by each notice's packed graph (past 16 GB at 100 000)."""
    chunks = (jobs[i:i + chunk] for i in range(0, len(jobs), chunk))
    pending: deque = deque()
    for part in chunks:
        pending.append(pool.apply_async(_records, (part,)))
        if len(pending) >= ahead:
            yield from pending.popleft().get()
    while pending:
        yield from pending.popleft().get()


def _records(jobs: list) -> list:
    return [_record(job) for job in jobs]


def _worker_started() -> None:
    # Ctrl-C reaches every process of the terminal: the parent alone answers it, in one line.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()  # what the worker inherits is never garbage; collections skip it


def _collect(jobs, results, report: BuildReport, tick) -> Iterator:
    for status, value, cached, lines in results:  # in the order of jobs
        tick()
        if status == "error":
            report.failures.append(InputError(*value))
            continue
        report.curated.update(lines)
        report.cached += cached
        report.extracted += not cached
        report.documents += 1
        yield value


def graph_from_paths(sources: list[str], cache_folder: Path | None = None, workers: int = 1,
                     tick: Callable[..., None] = lambda n=1: None,
                     curation: Curation | None = None, corpus: Corpus | None = None) -> tuple[Graph, BuildReport]:
    """The graph of `sources` in memory (for exports and smaller corpora), each named as
    in `corpus` (by default, by its folder's name and its own, as in a store)."""
    report = BuildReport()
    graph = Graph()
    grouping = Grouping(curation)
    for record, copy in iter_records(sources, cache_folder, report, workers, tick, packed="signed", curation=curation,
                                     corpus=corpus or corpus_of(sources)):
        doc, sim, first = grouping.place(record["sha256"], copy)
        if first:
            add_record(graph, record)
        else:
            report.copies += 1
            earlier_published(graph.nodes[("Document", doc)].props, copy.published)
        graph.merge(copy_graph(copy, doc, sim, first))
    report.documents -= report.copies
    finish(graph)
    if curation is not None:
        report.curated.update(curation.apart_effect())
        curation.annotate(graph, report.curated)
    return graph, report


def bulk_from_paths(sources: list[str], folder: Path, cache_folder: Path | None = None, workers: int = 1,
                    tick: Callable[..., None] = lambda n=1: None, curation: Curation | None = None,
                    statements: Statements | None = None, corpus: Corpus | None = None) -> tuple[BulkGraph, BuildReport]:
    """The graph of `sources` as files in `folder`, for any number of notices; what each
    notice states goes to `statements` too, if given, by the sources' names in `corpus`."""
    report = BuildReport()
    corpus = corpus or corpus_of(sources)
    path_of = {corpus.name(p): p for p in sources}
    graph = BulkGraph(folder, DERIVED, statements, Grouping(curation))
    read = []
    for packed in iter_records(sources, cache_folder, report, workers, tick, packed=True, curation=curation,
                               corpus=corpus):
        report.copies += not graph.add(packed)
        read.append((packed.source, packed.doc))
    report.documents -= report.copies
    if statements is not None:
        statements.add_sources((name, *file_state(path_of[name]), doc) for name, doc in read)
    graph.close()
    if curation is not None:
        report.curated.update(curation.apart_effect())
        curation.annotate(graph.shared, report.curated)
    return graph, report


def build_store(sources: list[str], db: str, workers: int = 1, tick: Callable[..., None] = lambda n=1: None,
                writing: Callable[[int], Callable[..., None]] = lambda rows: lambda n=1: None,
                curation: Curation | None = None, full: bool = False, folders: list[str] = ()) -> BuildReport:
    """Build the embedded store at `db` from `sources` (files, already expanded from
    `folders` and files given; each named by its place in its folder, kg.corpus), with
    `curation` applied: incrementally where the store holds a build of mostly the same
    notices (kg.incremental), in full otherwise or if `full`. `tick` counts documents;
    `writing(rows)` is called when the store is written and returns what counts the rows
    loaded."""
    from kg.backends.embedded import EmbeddedStore

    if workers < 1:
        raise InputError("--workers", "must be at least 1")
    if not sources:
        raise NothingToBuild(f"{db}: no notices given; the store was left as it was")
    store = EmbeddedStore(db)
    if (not_a_folder := store.not_a_folder()) is not None:
        raise not_a_folder
    new_store = not store.path.exists()
    try:
        return _build(store, sources, corpus_of(sources, folders), workers, tick, writing, curation, full)
    except NothingToBuild:
        if new_store:  # nothing was built: leave no empty store behind
            shutil.rmtree(store.path, ignore_errors=True)
        raise
    except (OSError, sqlite3.Error, RuntimeError) as e:  # RuntimeError: LadybugDB's
        if (reason := disk_error(e)) is None:
            raise
        if new_store:
            shutil.rmtree(store.path, ignore_errors=True)
        raise KgError(f"{db}: cannot write the store: {reason}; the store was left as it was") from None


def _build(store, sources: list[str], corpus: Corpus, workers: int, tick, writing, curation: Curation | None,
           full: bool) -> BuildReport:
    with store.lock():
        cache = ExtractionCache(store.cache_dir)
        cache.prune_other_versions()
        reason = "asked (--full)" if full else None
        previous = None
        if reason is None and store.current is not None:
            previous, reason = previous_statements(store, cache.version, curation)
        if previous is not None and (store.build_info().get("fields") or {}) != feeds.fields():
            previous.close()  # other fields are other text, whatever the files' state says
            previous, reason = None, "the feed fields (--field) differ from the last build's"
        if previous is not None:
            try:
                report = incremental_build(store, previous, sources, corpus, cache, workers, tick, writing, curation)
            finally:
                previous.close()
            if not isinstance(report, str):
                return report
            reason = report
        report = _full_build(store, sources, corpus, cache, workers, tick, writing, curation)
        report.full_because = reason if store.current is not None else None
        return report


def _full_build(store, sources: list[str], corpus: Corpus, cache: ExtractionCache, workers: int, tick, writing,
                curation: Curation | None) -> BuildReport:
    db = str(store.path)
    statements_file = store.path / f".statements-{uuid.uuid4().hex[:8]}.sqlite"
    statements = Statements(statements_file, create=True)
    try:
        # The graph waits on disk, not in memory, until the store is written.
        with tempfile.TemporaryDirectory(prefix=".spill-", dir=store.path) as folder:
            start = time.perf_counter()
            graph, report = bulk_from_paths(sources, Path(folder), cache.folder, workers, tick, curation, statements,
                                            corpus)
            statements.finish()
            if report.documents == 0:  # every notice failed: an empty graph must not replace the store
                raise NothingToBuild(f"{db}: {none_read(len(sources))}; the store was "
                                     f"left as it was", report.failures)
            if curation is not None:
                curation.check_effect(report.curated)  # a file that names nothing is a mistake
            nodes, relationships = graph.counts()  # writes the shared tables' files
            report.seconds["graph"] = time.perf_counter() - start
            start = time.perf_counter()
            report.info = store.write(graph, extra={
                "documents": report.documents,
                "failed": [str(e) for e in report.failures],
                "extractor": cache.version,
                "roots": corpus.roots,
                **({"fields": feeds.fields()} if feeds.fields() else {}),
                **_curation_info(curation, report.curated),
            }, tick=writing(sum(nodes.values()) + sum(relationships.values())))
            report.seconds["write"] = time.perf_counter() - start
        report.written.update(nodes=sum(nodes.values()), relationships=sum(relationships.values()))
        # After the swap: a kill in between leaves statements of another build, never used.
        statements.set_build_id(report.info["build_id"])
        statements.close()
        os.replace(statements_file, store.path / STATEMENTS)
    finally:
        statements.close()
        statements_file.unlink(missing_ok=True)
    return report


def _curation_info(curation: Curation | None, curated: Counter) -> dict:
    """What build.json says of the curation applied: the file, the lines that took effect,
    and the digest of its decisions (the next build is incremental if it is the same)."""
    if curation is None:
        return {}
    return {"curation": curation.path, "curation_lines": sorted(curated), "curation_digest": curation.digest}


def incremental_build(store, statements: Statements, sources: list[str], corpus: Corpus, cache: ExtractionCache,
                      workers: int, tick, writing, curation: Curation | None = None) -> BuildReport | str:
    """The store revised for the notices added, edited and removed since its last build
    (kg.incremental); else why a full build it is (so many changed that it is quicker, or
    copies are involved)."""
    report = BuildReport()
    start = time.perf_counter()

    def read(paths: list[str]) -> list:  # a pool of workers takes a second to start: not for a few files
        return list(iter_records(paths, cache.folder, report, workers if len(paths) >= 100 else 1, tick, packed=True,
                                 curation=curation, corpus=corpus))

    found = find_changes(sources, corpus, statements, read, tick, curation)
    if found is None:
        return f"more than {incremental.MOST_CHANGED:.0%} of the notices changed"
    changes, sources_changed, sources_gone = found
    if changes.unread:
        return f"{changes.unread[0]}, which a notice names, could not be read again"
    report.changes = changes
    report.copies = changes.copies
    report.curated = changes.curated  # of every source, as a full build counts them
    if curation is not None:
        curation.check_effect(report.curated)
    after = statements.notice_count() - len(changes.docs_removed) + len(changes.packs)
    if after == 0:
        raise NothingToBuild(f"{store.path}: {none_read(len(sources))}; the store was "
                             f"left as it was", report.failures)
    report.documents = after
    report.seconds["graph"] = time.perf_counter() - start
    start = time.perf_counter()
    previous = store.build_info()
    statements.conn.execute("BEGIN")
    try:
        if changes.docs_removed or changes.packs:
            report.info, revision = store.revise(
                lambda view: revise(statements, changes, view, (previous["nodes"], previous["relationships"]),
                                    curation, set(previous.get("curation_lines", []))),
                extra={"documents": after, "failed": [str(e) for e in report.failures],
                       "extractor": cache.version, "roots": corpus.roots, "incremental": describe(changes),
                       **({"fields": feeds.fields()} if feeds.fields() else {}),
                       **_curation_info(curation, report.curated)},
                tick=writing(0))
            report.written, report.deleted = revision.written, revision.deleted
        else:
            report.info = previous
            if previous.get("roots") != corpus.roots:  # the same notices, found where they are now
                report.info = store.amend_info(roots=corpus.roots)
        statements.forget_sources(sources_gone)
        statements.add_sources((path, *row) for path, row in sources_changed.items())
        statements.set_build_id(report.info["build_id"])
    except BaseException:
        if statements.conn.in_transaction:  # SQLite ends it itself on some errors (a full disk)
            statements.conn.execute("ROLLBACK")
        raise
    statements.conn.execute("COMMIT")  # after the swap: a kill in between makes the next build full
    report.seconds["write"] = time.perf_counter() - start
    return report
