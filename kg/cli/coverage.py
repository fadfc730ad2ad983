"""kg coverage: which facts a corpus of notices yields, and where extraction is blind."""
from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.common import error, notices, progress_bar
from kg.errors import counted


class CoverageFormat(str, enum.Enum):
    table = "table"
    json = "json"


def coverage_command(
    paths: Annotated[list[str], typer.Argument(help="Files or folders of notices (.txt, .html).", show_default=False)],
    fmt: Annotated[CoverageFormat, typer.Option("--format", "-f", help="table or json.")] = CoverageFormat.table,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1, help="Processes extracting in parallel.")] = 1,
    show: Annotated[int, typer.Option("--show", help="Files listed per missing fact in the table.")] = 10,
) -> None:
    """How many notices yielded each fact, the files missing a fact most notices have,
    and the warnings the rules raised (text they saw but could not place), and the
    files that are copies of one notice (grouped as kg build groups them; every file is
    counted above).

    Example: kg coverage ../shared/corpus/dev
    """
    from kg.coverage import coverage_grouped

    sources = notices(paths)
    from kg.build import BuildReport, iter_records

    report = BuildReport()
    with progress_bar("Extracting", total=len(sources)) as tick:
        result = coverage_grouped(iter_records(sources, None, report, workers, tick, packed="signed"))
    for failure in report.failures:
        error(str(failure))
    if result.notices == 0:
        error(f"no notice could be read from {', '.join(paths)}")
        raise typer.Exit(1)
    if fmt is CoverageFormat.json:
        sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        _print_table(result, show)
    if report.failures:
        error(f"{len(report.failures)} of {counted(len(sources), 'document')} failed")
        raise typer.Exit(1)


def _print_table(result, show: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 200)
    table = Table("fact", "notices", "of", "share", title=counted(result.notices, "notice"))
    for f in result.facts.values():
        table.add_row(f.fact, str(f.found), str(f.of), f"{f.share:.0%}")
    for column in table.columns[1:]:
        column.justify = "right"
    console.print(table)
    if result.problems:
        rules = ", ".join(f"{r.removeprefix('framework.')} {n}" for r, n in sorted(result.framework_rules.items()))
        console.print(f"Problems placed in their inspection framework: {result.placed} of {result.problems} "
                      f"({result.placed / result.problems:.0%}; {rules})", markup=False)
    blind = [f for f in result.facts.values() if f.expected and f.missing]
    if blind:
        console.print("Not found where most notices have it:")
        for f in blind:
            names = [Path(s).name for s in f.missing]
            more = f" … and {len(names) - show} more" if len(names) > show else ""
            console.print(f"  {f.fact} ({len(names)}): {', '.join(names[:show])}{more}", markup=False)
    unresolved = {kind: found for kind, found in result.unresolved.items() if found}
    if unresolved:
        console.print("Unresolved names, kept to their notice (never merged across notices):")
        for kind, found in unresolved.items():
            names = [f"{n} ({Path(s).name})" for s, n in found]
            more = f" … and {len(names) - show} more" if len(names) > show else ""
            console.print(f"  {kind} ({len(names)}): {', '.join(names[:show])}{more}", markup=False)
    if result.copies:
        n = sum(len(found) for found in result.copies.values())
        console.print(f"Copies ({n} files are copies of {len(result.copies)} notices; kg build keeps one Document each):")
        shown = list(result.copies.items())
        for first, found in shown[:show]:
            names = ", ".join(f"{Path(s).name} ({sim}%)" for s, sim in found)
            console.print(f"  {Path(first).name}: {names}", markup=False)
        if len(shown) > show:
            console.print(f"  … and {len(shown) - show} more notices with copies", markup=False)
    if result.warnings:
        console.print(f"Warnings in {counted(result.warned_notices, 'notice')} (text seen but not placed):")
        for rule, n in sorted(result.warnings.items(), key=lambda kv: (-kv[1], kv[0])):
            console.print(f"  {n:>5}  {rule}", markup=False)
