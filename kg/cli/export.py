"""kg export: the graph as GraphML, GEXF or JSON Lines, from a store or from notices."""
from __future__ import annotations

import enum
import os
from typing import Annotated, Optional

import typer

from kg.cli.common import error
from kg.fileio import atomic_text


class ExportFormat(str, enum.Enum):
    graphml = "graphml"
    gexf = "gexf"
    jsonl = "jsonl"


def load_graph(source: str):
    """A store folder (built by kg build) or notices (files or folders) → Graph."""
    from kg.backends.embedded import EmbeddedStore, read_graph

    store = EmbeddedStore(source)
    if os.path.isdir(source) and (store.path / "current").is_symlink():
        return read_graph(store)
    from kg.build import graph_from_paths
    from kg.read import iter_sources

    graph, report = graph_from_paths(list(iter_sources([source])))
    for failure in report.failures:
        error(str(failure))
    return graph


def export_command(
    source: Annotated[str, typer.Argument(help="A store folder, or notices (a file or folder).")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="File format.")] = ExportFormat.graphml,
    out: Annotated[Optional[str], typer.Option("--out", "-o", help="Output file (atomically); stdout if omitted.")] = None,
) -> None:
    """Write the graph for Gephi, networkx or other tools."""
    from kg.backends.files import write

    graph = load_graph(source)
    with atomic_text(out) as sink:
        write(graph, fmt.value, sink)
