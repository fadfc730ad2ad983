"""kg build: a folder of notices → the embedded graph store."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from kg.cli.common import FIELD_HELP, error, notices, progress_bar
from kg.errors import counted


def build_command(
    paths: Annotated[list[str], typer.Argument(help="Files or folders of notices.", show_default=False)],
    db: Annotated[str, typer.Option("--db", metavar="STORE", help="The store folder to create or rebuild.", envvar="KG_DB")],
    workers: Annotated[int, typer.Option("--workers", "-w", min=1, help="Processes extracting in parallel.")] = 1,
    curation: Annotated[Optional[str], typer.Option(
        "--curation", metavar="FILE", help="Same-as / keep-apart decisions (default: kg-curation.toml here, if any).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what the curation would merge and split; write nothing.")] = False,
    full: Annotated[bool, typer.Option("--full", help="Rebuild the whole store, even where only some notices changed.")] = False,
    field: Annotated[Optional[list[str]], typer.Option("--field", metavar="ROLE=NAME", help=FIELD_HELP)] = None,
) -> None:
    """Build the embedded graph store from notices, or bring it up to date.

    Notices are .txt and .html files, a scraper's feeds (.jsonl, .json, .csv: one item
    per page) and web archives (.warc, .warc.gz), in folders or named; each feed item or
    archived page is a notice of its own, named FILE#KEY, and keeps its URL.

    On a new store: extracts every notice (reusing cached results for unchanged files),
    resolves entities across documents, applies the curation file, and writes the store.
    On a store built before: only the notices added, edited or removed since are read,
    and only what they state is rewritten (the result equals a full build); --full, a
    curation file, or changes to more than a quarter of the notices rebuild it whole.
    Either way the previous store stays in use until the new one is complete and its
    counts are checked. A build with no notice to read (a mistyped path, an empty folder)
    or a curation file kg cannot apply stops before it touches the store.

    Example: kg build ../shared/corpus/seeds --db seeds.kg
    """
    from kg import curation as curation_file
    from kg.build import NothingToBuild, build_store
    from kg.incremental import describe

    sources = notices(paths, fields=field)  # a mistyped path stops here, before the store is touched
    decisions = curation_file.find(curation)  # so does a curation file with an error
    if dry_run:
        _dry_run(sources, db, decisions)
        return
    with contextlib.ExitStack() as bars:
        tick = bars.enter_context(progress_bar("Reading notices", total=len(sources)))

        def writing(rows: int):
            bars.close()  # a terminal shows one bar at a time
            return bars.enter_context(progress_bar("Writing the store", total=rows))

        try:
            report = build_store(sources, db, workers=workers, tick=tick, writing=writing, curation=decisions, full=full,
                                 folders=[p for p in paths if os.path.isdir(p)])
        except NothingToBuild as e:
            for failure in e.failures:
                error(str(failure))
            raise
    for failure in report.failures:
        error(str(failure))
    _say_curation(decisions, report.curated)
    nodes = sum(report.info["nodes"].values())
    rels = sum(report.info["relationships"].values())
    if report.full_because:
        typer.echo(f"{db}: rebuilt in full: {report.full_because}", err=True)
    if report.changes is not None:
        typer.echo(f"{db}: notices {describe(report.changes)}; wrote {counted(report.written['nodes'], 'node')} and "
                   f"{counted(report.written['relationships'], 'relationship')}, deleted "
                   f"{counted(report.deleted['nodes'], 'node')} and "
                   f"{counted(report.deleted['relationships'], 'relationship')}{_journal(report)}", err=True)
    unchanged = f", {report.changes.unchanged} unchanged" if report.changes is not None else ""
    typer.echo(f"{db}: {counted(report.documents + report.copies, 'file')}, {counted(report.documents, 'notice')} "
               f"({counted(report.copies, 'copy', 'copies')} of others); {report.extracted} extracted, "
               f"{report.cached} cached{unchanged}; {counted(nodes, 'node')}, {counted(rels, 'relationship')} "
               f"in {sum(report.seconds.values()):.1f} s "
               f"(notices {report.seconds['graph']:.1f} s, store {report.seconds['write']:.1f} s)", err=True)
    if report.failures:
        error(f"{len(report.failures)} of {counted(len(sources), 'document')} failed")
        raise typer.Exit(1)


def _journal(report) -> str:
    """Where this build's changes went (kg.backends.embedded.WAL_LIMIT); nothing if it wrote none."""
    if not (report.written or report.deleted):
        return ""
    from kg.backends.embedded import WAL_LIMIT

    info, said = report.info, []
    if info.get("checkpointed"):
        said.append("checkpointed the write-ahead log it found into the database")
    if info.get("wal_bytes"):
        # Not "checkpointed past": that read as if this build had checkpointed.
        said.append(f"{info['wal_bytes'] / 1e6:.1f} MB of changes wait in the write-ahead log "
                    f"(kg checkpoints it once it passes {WAL_LIMIT / 1e6:.1f} MB)")
    return "".join(f"; {s}" for s in said)


def _say_curation(decisions, applied) -> None:
    """Which decisions took effect; a decision that names nothing is a warning."""
    if decisions is None:
        return
    for line, given in decisions.unknown_docs:
        error(f"{decisions.path}:{line}: {given}: no such notice file (give a path or a SHA-256)")
    unused = decisions.unused(applied)
    for d in unused:
        error(f"{d.where}: {d.describe()}: nothing in these notices matches; no effect")
    took = len(decisions.decisions) - len(unused)
    typer.echo(f"curation {decisions.path}: {took} of {counted(len(decisions.decisions), 'decision')} took effect",
               err=True)


def _dry_run(sources: list[str], db: str, decisions) -> None:
    """The graph with and without the curation, compared: what would merge and split."""
    from kg.build import graph_from_paths

    if decisions is None:
        raise typer.BadParameter("--dry-run shows what a curation file does: give --curation FILE "
                                 "(or keep kg-curation.toml here)", param_hint="--dry-run")
    cache = Path(db) / "cache"
    before, _ = graph_from_paths(sources, cache if cache.is_dir() else None)
    after, report = graph_from_paths(sources, cache if cache.is_dir() else None, curation=decisions)
    _say_curation(decisions, report.curated)
    for d in decisions.decisions:
        if d.line in report.curated:
            typer.echo(f"{d.where}: {d.describe()}: would change {counted(report.curated[d.line], 'notice')}")
    for label in ("Regulation", "Organization"):
        old = {k for (lab, k) in before.nodes if lab == label}
        new = {k for (lab, k) in after.nodes if lab == label}
        for key in sorted(old - new):
            typer.echo(f"  {label} {key!r} would be merged away")
        for key in sorted(new - old):
            typer.echo(f"  {label} {key!r} would be made")
    (bn, br), (an, ar) = before.counts(), after.counts()
    typer.echo(f"dry run, nothing written: {sum(bn.values())} → {counted(sum(an.values()), 'node')}, "
               f"{sum(br.values())} → {counted(sum(ar.values()), 'relationship')}")
