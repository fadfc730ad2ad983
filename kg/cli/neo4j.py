"""kg load neo4j: the graph into a Neo4j server (local, Docker, cluster or Aura)."""
from __future__ import annotations

import contextlib
from typing import Annotated, Optional

import typer

from kg.cli.common import command_group, error, progress_bar
from kg.errors import counted

app = command_group("Load the graph into a database server.")

URI = Annotated[Optional[str], typer.Option("--uri", metavar="URI", help="Bolt or neo4j:// address (env NEO4J_URI).")]
USER = Annotated[Optional[str], typer.Option("--user", metavar="USER", help="User name (env NEO4J_USER, default neo4j).")]
DATABASE = Annotated[Optional[str], typer.Option("--database", metavar="NAME", help="Database name (env NEO4J_DATABASE, default neo4j).")]


def backend(uri: str | None, user: str | None, database: str | None):
    """A Neo4j backend from options and environment; the password comes only from
    NEO4J_PASSWORD, so it never appears in a command line or shell history."""
    from kg.backends.neo4j import Neo4jBackend, Settings

    return Neo4jBackend(Settings.from_env(uri, user, None, database))


@app.command("neo4j")
def load_neo4j(
    paths: Annotated[Optional[list[str]], typer.Argument(help="Notices (files or folders).", show_default=False)] = None,
    from_store: Annotated[Optional[str], typer.Option("--from", metavar="STORE", help="Load a store built by kg build instead.")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Rows per transaction.")] = 10_000,
    wipe: Annotated[bool, typer.Option("--wipe", help="First delete kg's data (label Kg), nothing else.")] = False,
    full: Annotated[bool, typer.Option("--full", help="With --from: send every row, not only those changed since the last load.")] = False,
    uri: URI = None,
    user: USER = None,
    database: DATABASE = None,
) -> None:
    """Load notices (or a store) into Neo4j, idempotently.

    Creates uniqueness constraints, then MERGEs nodes and relationships in batches.
    Loading the same notices again changes nothing; a changed notice (same path, new
    content) replaces its previous version's facts and leaves other notices' alone.

    From a store, a load after the first sends only the rows that changed since and
    deletes those that went (what was sent is kept in STORE/neo4j/); the server then
    holds exactly the store's graph.

    \b
    Example: NEO4J_URI=bolt://localhost:7687 NEO4J_PASSWORD=… kg load neo4j --from seeds.kg
    """
    from kg.backends import writer
    from kg.cli.export import graph_of_notices, row_source

    if bool(paths) == bool(from_store):
        raise typer.BadParameter("give notices or --from STORE", param_hint="PATHS/--from")
    # Settings and the server first: a missing NEO4J_URI or a server that is down must not
    # wait for every notice to be read.
    with backend(uri, user, database) as neo, contextlib.ExitStack() as stack:
        neo.connect()
        if from_store:  # streamed from the store a batch at a time, never held whole
            rows, failures = stack.enter_context(row_source(from_store)), []
        else:
            rows, failures = graph_of_notices(paths)
        nodes, relationships = rows.counts()
        total = sum(nodes.values()) + sum(relationships.values())  # one row per node and relationship
        if wipe:
            typer.echo(f"wiped {neo.wipe()} kg nodes", err=True)
        with progress_bar("Loading", total=total) as tick:
            if from_store:
                summary = _sync(from_store, rows, neo, batch_size, full, tick)
            else:
                summary = writer("neo4j").write(rows, neo, batch_size=batch_size, tick=tick)
    typer.echo(
        f"{summary.rows} rows in {summary.statements} statements: "
        f"{summary.nodes_created} nodes and {summary.relationships_created} relationships created, "
        f"{summary.rows - summary.nodes_created - summary.relationships_created} matched existing; "
        f"{summary.nodes_deleted} nodes and {summary.relationships_deleted} relationships of replaced versions removed",
        err=True)
    if failures:
        error(f"{counted(len(failures), 'document')} failed and {'was' if len(failures) == 1 else 'were'} not loaded")
        raise typer.Exit(1)


def _sync(store: str, rows, neo, batch_size: int, full: bool, tick):
    """The store's rows sent as kg.backends.neo4j_sync decides: all of them the first
    time (or with --full, or when the server holds other than the last load left), then
    what changed."""
    from kg.backends.neo4j_sync import Manifest, manifest_path, sync_plan

    manifest = Manifest(manifest_path(store, neo.settings.uri, neo.settings.database))
    try:
        if manifest.has_loaded and (full or neo.kg_nodes() != manifest.node_count()):
            if not full:
                typer.echo("the server holds other than the last load left: sending every row", err=True)
            manifest.forget()
        summary = neo.send(sync_plan(rows, manifest, batch_size), tick)
        manifest.commit()
    finally:
        manifest.close()
    return summary
