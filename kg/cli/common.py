"""What every command shares: one-line errors on stderr and a progress display."""
from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator

import typer

from kg.errors import printable

# Help as click prints it, not through rich: importing rich alone made `kg --help` take
# three times as long as importing typer.
PLAIN_HELP = None


def command_group(help: str) -> typer.Typer:
    """A group of subcommands (kg load, kg curate, kg viz): `kg viz` alone prints its help."""
    return typer.Typer(help=help, no_args_is_help=True, rich_markup_mode=PLAIN_HELP)


FIELD_HELP = ("Which field of a feed's items holds what, ROLE=NAME (roles: url, title, text, html, fetched), "
              "e.g. --field text=article_body --field url=link; repeat for each.")


def notices(paths: list[str], *, missing_ok: bool = False, fields: list[str] | None = None) -> list[str]:
    """The notice files `paths` name (a feed or web archive as its items, FILE#KEY, read
    with `fields`: ROLE=NAME); says on stderr which other files were skipped. Raises
    InputError (nothing read or written yet) for a missing path, a store given as
    notices, no notices at all, or a --field that is not ROLE=NAME."""
    from kg import feeds
    from kg.read import collect_inputs

    feeds.set_fields(feeds.parse_fields(fields or []))  # workers are forked after this: they read alike

    inputs = collect_inputs(paths, missing_ok=missing_ok)
    if (summary := inputs.skipped_summary()) is not None:
        error(summary)
    return inputs.sources


def checked_suffix(out: str | os.PathLike, choices: tuple[str, ...], command: str, otherwise: str = "") -> str:
    """The extension of `out`, which names the format written: one not in `choices` is
    refused before anything is read or written."""
    suffix = os.path.splitext(out)[1].lower()
    if suffix not in choices:
        from kg.errors import KgError

        named = f"{suffix} files" if suffix else "files without an extension"
        choose = ", ".join(choices[:-1]) + " or " + choices[-1] if len(choices) > 1 else choices[0]
        raise KgError(f"{out}: {command} does not write {named}; choose {choose}{otherwise}")
    return suffix


def error(message: str) -> None:
    """Print `kg: message` on stderr."""
    typer.echo(f"kg: {printable(message)}", err=True)  # a name that is not UTF-8 must not stop the run


# Seconds between progress lines when stderr is not a terminal (a log, CI).
PROGRESS_EVERY = float(os.environ.get("KG_PROGRESS_EVERY", 5))


@contextlib.contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[..., None]]:
    """tick(n=1) advances a progress bar showing n/N and the time taken on a terminal;
    elsewhere (a log, CI) it prints `description: n/N (p %), t s` every few seconds."""
    if not sys.stderr.isatty():
        start = last = time.monotonic()
        done = 0

        def tick(n: int = 1) -> None:
            nonlocal done, last
            done += n
            now = time.monotonic()
            if now - last >= PROGRESS_EVERY:
                last = now
                share = f" ({100 * done / total:.0f} %)" if total else ""
                typer.echo(f"{description}: {done}/{total}{share}, {now - start:.0f} s", err=True)

        yield tick
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)
