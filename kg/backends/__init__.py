"""Writers and query engines: embedded (LadybugDB), neo4j, neo4j_files, rdf, files.

A backend knows the graph model (kg.graph), never an extractor; each imports its
database library itself, so that the core and the CLI start without them.

Writers are registered here by name, with what they can do, and imported on first use
(`writer("graphml")`). Every writer has one shape:

    write(rows, out, **options)

`rows` is a row source: `rows(label)` and `relationship_rows(type)` yielding the dicts the
store holds (kg.backends.embedded.StoreRows streams them from a store; kg.graph.Graph
offers the same from memory). `out` is a text stream, a folder (`folder` writers) or a
server connection (`server` writers). Adding a writer: write that function, register it
below, and give it a reader in tests/test_writers.py (the contract suite fails for a
registered writer without one).
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from kg.errors import KgError


class RowSource(Protocol):
    def rows(self, label: str) -> Iterator[dict]: ...
    def relationship_rows(self, rel_type: str) -> Iterator[dict]: ...


@dataclass(frozen=True)
class Writer:
    name: str
    target: str  # "module:function", imported on first use
    suffixes: tuple[str, ...] = ()  # the extensions that name this format (first: the usual one)
    options: dict = field(default_factory=dict)  # fixed arguments (the syntax of an RDF writer)
    streams: bool = True  # writes as it reads: memory does not grow with the store
    server: bool = False  # out is a connection to a database server, not a file
    rdf: bool = False  # RDF in the kg vocabulary; takes base=IRI
    folder: bool = False  # out is a folder of files

    def write(self, rows: RowSource, out, **options):
        module, function = self.target.split(":")
        return getattr(importlib.import_module(module), function)(rows, out, **self.options, **options)


WRITERS: dict[str, Writer] = {w.name: w for w in [
    Writer("graphml", "kg.backends.files:write_graphml", (".graphml",)),
    Writer("gexf", "kg.backends.files:write_gexf", (".gexf",)),
    Writer("jsonl", "kg.backends.files:write_jsonl", (".jsonl",)),
    Writer("neo4j-admin", "kg.backends.neo4j_files:write_admin_csv", folder=True),
    Writer("cypher", "kg.backends.neo4j_files:write_cypher_script", (".cypher", ".cql")),
    Writer("turtle", "kg.backends.rdf:write_rows", (".ttl",), {"fmt": "turtle"}, rdf=True),
    Writer("nt", "kg.backends.rdf:write_rows", (".nt",), {"fmt": "nt"}, rdf=True),
    Writer("jsonld", "kg.backends.rdf:write_rows", (".jsonld",), {"fmt": "jsonld"}, rdf=True),
    Writer("trig", "kg.backends.rdf:write_rows", (".trig",), {"fmt": "trig"}, rdf=True),
    Writer("neo4j", "kg.backends.neo4j:load_rows", server=True),
]}


def writer(name: str) -> Writer:
    """The writer registered as `name`; an unknown name is refused with the valid ones."""
    try:
        return WRITERS[name]
    except KeyError:
        raise KgError(f"no writer {name!r}; choose one of: {', '.join(WRITERS)}") from None


def writers(where: Callable[[Writer], bool] = lambda w: True) -> list[Writer]:
    return [w for w in WRITERS.values() if where(w)]
