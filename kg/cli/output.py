"""Rows out as a table, JSON or CSV: the same choices for every command that prints rows."""
from __future__ import annotations

import csv
import enum
import json
import sys


def utf8_streams() -> None:
    """Write UTF-8 to stdout and stderr whatever the locale or PYTHONIOENCODING says: kg's
    output is Chinese, and a terminal, file or pipe that asked for ASCII (LANG=C, a bare
    container) would otherwise stop a command halfway with a traceback. A file of kg's
    output reads the same on every machine; a terminal that cannot show UTF-8 shows
    mojibake rather than nothing. Characters UTF-8 cannot carry (a stray surrogate) are
    written as \\u escapes, never an error."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)  # absent on streams a test or host swapped in
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="backslashreplace")


class Format(str, enum.Enum):
    table = "table"
    json = "json"  # one JSON array of objects, as sqlite-utils and datasette print
    jsonl = "jsonl"  # one object per line
    csv = "csv"


def print_rows(columns: list[str], rows: list[list], fmt: Format, whole: tuple[str, ...] = ()) -> None:
    """Rows as a table (columns named in `whole` are never wrapped: names a user copies),
    JSON or CSV."""
    if fmt is Format.json:
        objects = [dict(zip(columns, row)) for row in rows]
        sys.stdout.write(json.dumps(objects, ensure_ascii=False, default=str, indent=1) + "\n")
    elif fmt is Format.jsonl:
        for row in rows:
            sys.stdout.write(json.dumps(dict(zip(columns, row)), ensure_ascii=False, default=str) + "\n")
    elif fmt is Format.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows([_cell(v) for v in row] for row in rows)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(show_lines=False)
        for i, name in enumerate(columns):
            numeric = rows and all(isinstance(r[i], (int, float)) or r[i] is None for r in rows)
            # Wrap long cells rather than cut them: a name a user copies must be whole.
            if name in whole:
                table.add_column(name, no_wrap=True, min_width=max((len(_cell(r[i])) for r in rows), default=1))
            else:
                table.add_column(name, justify="right" if numeric else "left", overflow="fold")
        for row in rows:
            table.add_row(*(_cell(v) for v in row))
        # On a terminal, fit the screen; into a file or pipe, keep every cell whole.
        Console(width=None if sys.stdout.isatty() else 100_000).print(table)
        Console(stderr=True).print(f"{len(rows)} row{'' if len(rows) == 1 else 's'}", style="dim")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):  # a list reads as a list, not as JSON
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
