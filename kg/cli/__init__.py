"""The `kg` command. Thin: each command parses options and calls the library."""
from __future__ import annotations

import typer

from kg.cli import extract as _extract

app = typer.Typer(
    name="kg",
    help="Knowledge graphs from Chinese discipline-inspection notices.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("extract")(_extract.extract_command)


@app.callback()
def _root() -> None:
    """Knowledge graphs from Chinese discipline-inspection notices."""


def main() -> None:
    app()
