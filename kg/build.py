"""Notices → graph → embedded store: the `kg build` pipeline.

Reads every input, takes its record from the cache when the bytes are unchanged
(extracting otherwise), resolves all records into one graph and writes the store.
A document that fails is reported and left out; the others are built.
"""
from __future__ import annotations


from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kg.cache import ExtractionCache
from kg.errors import InputError
from kg.pipeline import extract_document
from kg.graph import Graph
from kg.read import read_source
from kg.resolve import build_graph


@dataclass
class BuildReport:
    documents: int = 0
    extracted: int = 0  # read from text this time
    cached: int = 0  # taken from the cache
    failures: list[InputError] = field(default_factory=list)
    info: dict = field(default_factory=dict)


def records_for(sources: Iterable[str], cache: ExtractionCache | None, report: BuildReport,
                tick: Callable[[], None] = lambda: None) -> list[dict]:
    records = []
    for source in sources:
        tick()
        try:
            record = _record(source, cache, report)
        except InputError as e:
            report.failures.append(e)
            continue
        records.append(record)
    return records


def _record(source: str, cache: ExtractionCache | None, report: BuildReport) -> dict:
    doc = read_source(source)
    if cache is not None:
        cached = cache.get(doc.sha256, source)
        if cached is not None:
            report.cached += 1
            return cached
    record = extract_document(doc)
    report.extracted += 1
    if cache is not None:
        cache.put(record)
    return record


def graph_from_paths(sources: list[str], cache: ExtractionCache | None = None,
                     tick: Callable[[], None] = lambda: None) -> tuple[Graph, BuildReport]:
    report = BuildReport()
    records = records_for(sources, cache, report, tick)
    report.documents = len(records)
    return build_graph(records), report


def build_store(sources: list[str], db: str, tick: Callable[[], None] = lambda: None) -> BuildReport:
    """Build the embedded store at `db` from `sources` (files, already expanded)."""
    from kg.backends.embedded import EmbeddedStore

    store = EmbeddedStore(db)
    with store.lock():
        cache = ExtractionCache(store.cache_dir)
        cache.prune_other_versions()
        graph, report = graph_from_paths(sources, cache, tick)
        report.info = store.write(graph, extra={
            "documents": report.documents,
            "failed": [str(e) for e in report.failures],
            "extractor": cache.version,
        })
    return report


