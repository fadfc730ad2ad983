"""What every command shares: one-line errors on stderr and a progress display."""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

import typer


def notices(paths: list[str], *, missing_ok: bool = False) -> list[str]:
    """The notice files `paths` name; says on stderr which other files were skipped.
    Raises InputError (nothing read or written yet) for a missing path, a store given as
    notices, or no notices at all."""
    from kg.read import collect_inputs

    inputs = collect_inputs(paths, missing_ok=missing_ok)
    if (summary := inputs.skipped_summary()) is not None:
        error(summary)
    return inputs.sources


def error(message: str) -> None:
    """Print `kg: message` on stderr."""
    typer.echo(f"kg: {message}", err=True)


@contextlib.contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[..., None]]:
    """tick(n=1) advances a progress bar on a terminal (and does nothing elsewhere)."""
    if not sys.stderr.isatty():
        yield lambda n=1: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)
