"""What every command shares: one-line errors on stderr and a progress display."""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

import typer

T = TypeVar("T")


def error(message: str) -> None:
    """Print `kg: message` on stderr."""
    typer.echo(f"kg: {message}", err=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    error(message)
    return typer.Exit(code)


def progress(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Show progress on stderr when it is a terminal; otherwise stay quiet."""
    if not sys.stderr.isatty():
        yield from items
        return
    from rich.console import Console
    from rich.progress import track

    yield from track(items, description=description, total=total, console=Console(stderr=True), transient=True)


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
