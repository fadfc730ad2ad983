"""kg build: a folder of notices → the embedded graph store."""
from __future__ import annotations

import contextlib
from typing import Annotated

import typer

from kg.cli.common import error, notices, progress_bar


def build_command(
    paths: Annotated[list[str], typer.Argument(help="Files or folders of notices.", show_default=False)],
    db: Annotated[str, typer.Option("--db", metavar="STORE", help="The store folder to create or rebuild.", envvar="KG_DB")],
    workers: Annotated[int, typer.Option("--workers", "-w", min=1, help="Processes extracting in parallel.")] = 1,
) -> None:
    """Build the embedded graph store from notices.

    Extracts every notice (reusing cached results for unchanged files), resolves
    entities across documents and writes a new store; the previous store stays in use
    until the new one is complete and its counts are checked. A build with no notice
    to read (a mistyped path, an empty folder) stops before it touches the store.

    Example: kg build ../shared/corpus/seeds --db seeds.kg
    """
    from kg.build import NothingToBuild, build_store

    sources = notices(paths)  # a mistyped path stops here, before the store is touched
    with contextlib.ExitStack() as bars:
        tick = bars.enter_context(progress_bar("Reading notices", total=len(sources)))

        def writing(rows: int):
            bars.close()  # a terminal shows one bar at a time
            return bars.enter_context(progress_bar("Writing the store", total=rows))

        try:
            report = build_store(sources, db, workers=workers, tick=tick, writing=writing)
        except NothingToBuild as e:
            for failure in e.failures:
                error(str(failure))
            raise
    for failure in report.failures:
        error(str(failure))
    nodes = sum(report.info["nodes"].values())
    rels = sum(report.info["relationships"].values())
    typer.echo(f"{db}: {report.documents} documents ({report.extracted} extracted, {report.cached} cached), "
               f"{nodes} nodes, {rels} relationships in {sum(report.seconds.values()):.1f} s "
               f"(notices {report.seconds['graph']:.1f} s, store {report.seconds['write']:.1f} s)", err=True)
    if report.failures:
        error(f"{len(report.failures)} of {len(sources)} documents failed")
        raise typer.Exit(1)
