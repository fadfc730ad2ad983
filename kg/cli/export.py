"""kg export: the graph as files, from a store or from notices."""
from __future__ import annotations

import contextlib
import enum
import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from kg.backends import WRITERS, writer
from kg.cli.common import checked_suffix, error
from kg.errors import KgError, counted, none_read
from kg.fileio import atomic_text, built_beside
from kg.store_folder import is_store


# The formats: every registered writer of files (kg.backends), in the registry's order,
# then the tidy tables (kg.backends.tables), which are written from a store's queries.
FILE_WRITERS = [w for w in WRITERS.values() if not w.server]
TABLES = {"tables": (), "sqlite": (".db", ".sqlite"), "parquet": ()}
ExportFormat = enum.Enum("ExportFormat", {**{w.name.replace("-", "_"): w.name for w in FILE_WRITERS},
                                          **{name: name for name in TABLES}}, type=str)
RDF_FORMATS = {ExportFormat(w.name) for w in FILE_WRITERS if w.rdf}
TABLE_FORMATS = {ExportFormat(name) for name in TABLES}
BY_SUFFIX = {**{suffix: ExportFormat(w.name) for w in FILE_WRITERS for suffix in w.suffixes},
             **{suffix: ExportFormat(name) for name, suffixes in TABLES.items() for suffix in suffixes}}


class Network(str, enum.Enum):
    citations = "citations"
    co_citation = "co-citation"
    inspections = "inspections"


class NetworkKind(str, enum.Enum):
    shared = "shared"
    law = "law"
    party_regulation = "party_regulation"
    regulation = "regulation"
    normative_document = "normative_document"
    internal_rule = "internal_rule"


def format_for(out: str | None, fmt: ExportFormat | None) -> ExportFormat:
    """--format, else the one --out's extension names (x.ttl → turtle), else (stdout)
    graphml. Without --format an extension that names no format is refused; a --format
    that contradicts the extension is refused rather than written misnamed."""
    if out and fmt is None:
        return BY_SUFFIX[checked_suffix(out, tuple(BY_SUFFIX), "kg export", ", or give --format")]
    implied = BY_SUFFIX.get(Path(out).suffix.lower()) if out else None
    if fmt is not None and implied is not None and fmt is not implied:
        raise KgError(f"{out}: --format {fmt.value} does not match the extension {Path(out).suffix} "
                      f"({implied.value}); change one of them")
    return fmt or implied or ExportFormat.graphml


def graph_of_notices(paths: list[str]):
    """(Graph, failures) of notices (files or folders); each failure is reported on stderr."""
    from kg.build import graph_from_paths
    from kg.cli.common import notices
    from kg.curation import find

    # The curation file beside the corpus (kg-curation.toml here) shapes every export, as it does a build.
    from kg.corpus import corpus_of

    sources = notices(paths)
    graph, report = graph_from_paths(sources, curation=find(None),
                                     corpus=corpus_of(sources, [p for p in paths if os.path.isdir(p)]))
    if report.documents == 0:  # an empty graph is not an export of these notices
        first = f" ({report.failures[0]}{', …' if len(report.failures) > 1 else ''})" if report.failures else ""
        raise KgError(f"{', '.join(paths)}: {none_read(len(sources))}{first}; "
                      "nothing was written")
    for failure in report.failures:
        error(str(failure))
    return graph, report.failures


def load_graph(source: str):
    """A store folder (built by kg build) or notices (files or folders) → Graph."""
    if is_store(source):
        from kg.backends.embedded import EmbeddedStore, read_graph

        return read_graph(EmbeddedStore(source))
    return graph_of_notices([source])[0]


@contextlib.contextmanager
def store_rows(store: str):
    """The rows of a store, streamed (kg.backends.embedded.StoreRows)."""
    from kg.backends.embedded import EXPORT_BUFFER_POOL, EmbeddedStore, StoreRows

    with EmbeddedStore(store).connect(EXPORT_BUFFER_POOL) as conn:
        yield StoreRows(conn)


@contextlib.contextmanager
def row_source(source: str):
    """Rows label by label: streamed from a store, or from the graph of notices."""
    if is_store(source):
        with store_rows(source) as rows:
            yield rows
    else:
        yield load_graph(source)


def export_command(
    source: Annotated[str, typer.Argument(help="A store folder, or notices (a file or folder).")],
    fmt: Annotated[Optional[ExportFormat], typer.Option("--format", "-f", help="File format (default: the one --out's extension names; graphml on stdout).", show_default=False)] = None,
    out: Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE", help="Output file (folder for neo4j-admin, tables and parquet); stdout if omitted.")] = None,
    base: Annotated[Optional[str], typer.Option("--base", metavar="IRI", help="Base IRI of RDF resources (default https://w3id.org/kg-notices/id/).")] = None,
    network: Annotated[Optional[Network], typer.Option("--network", help="A projected, weighted network instead of the graph: citations, co-citation or inspections (.graphml, .gexf or .csv).", show_default=False)] = None,
    top: Annotated[Optional[int], typer.Option("--top", min=1, help="With --network: keep the N heaviest edges.", show_default=False)] = None,
    min_weight: Annotated[int, typer.Option("--min-weight", min=1, help="With --network: keep edges of weight at least W.")] = 1,
    kind: Annotated[Optional[NetworkKind], typer.Option("--kind", help="With --network citations or co-citation: regulations of this kind (default shared: laws, Party and state regulations, normative documents).", show_default=False)] = None,
) -> None:
    """Write the graph for Gephi, networkx, Neo4j or other tools.

    graphml, gexf: for Gephi and networkx. jsonl: one line per node and relationship.
    neo4j-admin: node and relationship CSVs plus import.sh for `neo4j-admin database
    import full`. cypher: a script of MERGE statements for cypher-shell. turtle, nt,
    jsonld, trig: RDF in the kg vocabulary (schema/kg.ttl), with span provenance.
    tables (CSV), sqlite, parquet: tidy tables from a store for R, Stata or pandas, one
    row per notice, citation, problem … with codebook.md (--out FOLDER, or FILE.db).

    --network citations|co-citation|inspections: the network the question is about, small
    enough for Gephi, in GraphML, GEXF or CSV (edges, and nodes in FILE.nodes.csv).

    Example: kg export seeds.kg --out seeds.ttl
    """
    if network is not None or top is not None or min_weight != 1 or kind is not None:
        if base is not None:
            raise typer.BadParameter("--base names RDF resources; a network has none", param_hint="--base")
        _export_network(source, network, out, fmt, top, min_weight, kind)
        return
    fmt = format_for(out, fmt)
    if fmt in TABLE_FORMATS:
        from kg.backends.tables import export_store

        typer.echo(export_store(source, fmt.value, out), err=True)
        return
    chosen = writer(fmt.value)
    if chosen.folder:
        if not out:
            raise typer.BadParameter(f"{fmt.value} export needs --out FOLDER", param_hint="--out")
        _export_folder(source, Path(out), chosen)
        return
    options = {"base": base} if chosen.rdf else {}
    with atomic_text(out) as sink, row_source(source) as rows:
        chosen.write(rows, sink, **options)


def _export_network(source, network, out, fmt, top, min_weight, kind) -> None:
    """kg export --network: a projection read from a store (kg.networks)."""
    from kg import networks

    if network is None:
        raise typer.BadParameter("--top, --min-weight and --kind go with --network", param_hint="--network")
    fmt = networks.format_of(out, fmt.value if fmt else None)  # refused before the store is read
    if not is_store(source):
        raise KgError(f"{source}: --network reads a store; build one first: kg build {source} --db STORE")
    from kg.backends.embedded import EmbeddedStore

    net = networks.network(EmbeddedStore(source), network.value, top, min_weight, kind.value if kind else None)
    written = networks.write(net, out, fmt)
    if written:
        typer.echo(f"{', '.join(written)}: {counted(len(net.nodes), 'node')}, {counted(len(net.edges), 'edge')}",
                   err=True)


def _export_folder(source: str, folder: Path, chosen) -> None:
    """Write into a fresh folder beside the target, then move it into place (its
    permissions the umask's: a Neo4j container's user must read the files)."""
    if folder.exists() and any(folder.iterdir()):
        raise KgError(f"{folder}: folder is not empty; neo4j-admin files go into a new or empty folder")
    with built_beside(folder, folder=True) as tmp, row_source(source) as rows:
        counts = chosen.write(rows, tmp)
    typer.echo(f"{folder}: {sum(counts.values())} rows in {len(counts)} files; import with {folder}/import.sh", err=True)
