"""kg viz recurrence, kg report: pictures of the graph."""
from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.query import DB, _store
from kg.cli.common import error
from kg.errors import KgError
from kg.fileio import atomic_text

class Language(str, enum.Enum):
    zh = "zh"
    en = "en"


app = typer.Typer(help="Pictures of the graph.", no_args_is_help=True)


@app.command("recurrence")
def recurrence_command(
    db: DB,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="FILE", help="recurrence.html (interactive), .png or .svg (static).")],
    min_organizations: Annotated[int, typer.Option("--min-organizations", min=1, help="For .png/.svg: how many citing organizations make a row.")] = 2,
    lang: Annotated[Language, typer.Option("--lang", help="For .html: the page's language (a button switches it).")] = Language.zh,
) -> None:
    """Which regulations recur across organizations.

    .html: an interactive network of organizations and regulations (filters for minimum
    organizations, kind and region; click a regulation to read the citing sentences);
    self-contained, it opens with no network. .png/.svg: an organizations × regulations
    matrix for papers (at most 40 regulations × 60 organizations: the top ones).

    Example: kg viz recurrence --db seeds.kg --out recurrence.html
    """
    from kg.viz import recurrence
    from kg.viz.data import recurrence as load

    data = load(_store(db))
    suffix = out.suffix.lower()
    if suffix in (".html", ".htm"):
        with atomic_text(str(out)) as f:
            f.write(recurrence.html(data, lang.value))
    elif suffix in (".png", ".svg"):
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.stem}.tmp{suffix}")
        try:
            note = recurrence.figure(data, tmp, min_organizations)
            tmp.replace(out)
            if note:
                error(note)
        finally:
            tmp.unlink(missing_ok=True)
    else:
        raise KgError(f"{out}: choose .html, .png or .svg")
    typer.echo(f"{out}: {len(data.recurring(2))} regulations recur across {len(data.organizations)} organizations", err=True)


def report_command(
    db: DB,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="FILE", help="The report, an HTML file.")],
) -> None:
    """One page, every organization: timeline, problems by heading, regulations by action.

    Example: kg report --db seeds.kg --out report.html
    """
    from kg.viz.report import html

    with atomic_text(str(out)) as f:
        f.write(html(_store(db)))
