"""kg export: the graph as files, from a store or from notices."""
from __future__ import annotations

import contextlib
import enum
import os
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Optional

import typer

from kg.backends import WRITERS, writer
from kg.cli.common import checked_suffix, error
from kg.errors import KgError, none_read
from kg.fileio import atomic_text, umask
from kg.store_folder import is_store


# The formats: every registered writer of files (kg.backends), in the registry's order.
FILE_WRITERS = [w for w in WRITERS.values() if not w.server]
ExportFormat = enum.Enum("ExportFormat", {w.name.replace("-", "_"): w.name for w in FILE_WRITERS}, type=str)
RDF_FORMATS = {ExportFormat(w.name) for w in FILE_WRITERS if w.rdf}
BY_SUFFIX = {suffix: ExportFormat(w.name) for w in FILE_WRITERS for suffix in w.suffixes}


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
    out: Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE", help="Output file (folder for neo4j-admin); stdout if omitted.")] = None,
    base: Annotated[Optional[str], typer.Option("--base", metavar="IRI", help="Base IRI of RDF resources (default https://w3id.org/kg-notices/id/).")] = None,
) -> None:
    """Write the graph for Gephi, networkx, Neo4j or other tools.

    graphml, gexf: for Gephi and networkx. jsonl: one line per node and relationship.
    neo4j-admin: node and relationship CSVs plus import.sh for `neo4j-admin database
    import full`. cypher: a script of MERGE statements for cypher-shell. turtle, nt,
    jsonld, trig: RDF in the kg vocabulary (schema/kg.ttl), with span provenance.

    Example: kg export seeds.kg --out seeds.ttl
    """
    fmt = format_for(out, fmt)
    chosen = writer(fmt.value)
    if chosen.folder:
        if not out:
            raise typer.BadParameter(f"{fmt.value} export needs --out FOLDER", param_hint="--out")
        _export_folder(source, Path(out), chosen)
        return
    options = {"base": base} if chosen.rdf else {}
    with atomic_text(out) as sink, row_source(source) as rows:
        chosen.write(rows, sink, **options)


def _export_folder(source: str, folder: Path, chosen) -> None:
    """Write into a fresh folder beside the target, then move it into place."""
    if folder.exists() and any(folder.iterdir()):
        raise KgError(f"{folder}: folder is not empty; neo4j-admin files go into a new or empty folder")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".kg-export-", dir=folder.parent))
    tmp.chmod(0o777 & ~umask())  # mkdtemp makes 0700: a Neo4j container's user must read the files
    try:
        with row_source(source) as rows:
            counts = chosen.write(rows, tmp)
        if folder.exists():
            folder.rmdir()
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    typer.echo(f"{folder}: {sum(counts.values())} rows in {len(counts)} files; import with {folder}/import.sh", err=True)
