"""kg viz recurrence, kg report: pictures of the graph."""
from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from kg.cli.query import DB, _store
from kg.cli.trends import By
from kg.cli.common import command_group, error
from kg.errors import KgError
from kg.fileio import atomic_text

class Language(str, enum.Enum):
    zh = "zh"
    en = "en"


app = command_group("Pictures of the graph.")


def _write_picture(out: Path, page, figure):
    """out as a page (.html: page() is its text) or a figure (.png/.svg: figure(path) draws
    it), written atomically; returns what figure() returns (a note, or None)."""
    suffix = out.suffix.lower()
    if suffix in (".html", ".htm"):
        with atomic_text(str(out)) as f:
            f.write(page())
        return None
    if suffix not in (".png", ".svg"):
        raise KgError(f"{out}: choose .html, .png or .svg")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.tmp{suffix}")
    try:
        note = figure(tmp)
        tmp.replace(out)
        return note
    finally:
        tmp.unlink(missing_ok=True)


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
    note = _write_picture(out, lambda: recurrence.html(data, lang.value),
                          lambda tmp: recurrence.figure(data, tmp, min_organizations))
    if note:
        error(note)
    typer.echo(f"{out}: {len(data.recurring(2))} regulations recur across {len(data.organizations)} organizations", err=True)


@app.command("trends")
def trends_command(
    db: DB,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="FILE", help="trends.html (a page with its data table), .png or .svg.")],
    by: Annotated[By, typer.Option("--by", help="Group notices by year, quarter, province, level or kind.")] = By.year,
) -> None:
    """Small multiples per period: notices, median lags, top problem themes.

    Example: kg viz trends --db seeds.kg --out trends.html
    """
    from kg.trends import trends
    from kg.viz import trends as pictures

    rows, _ = trends(_store(db), by.value)
    if not rows:
        raise KgError(f"{db}: no dated notices to draw")
    _write_picture(out, lambda: pictures.trends_html(rows, by.value), lambda tmp: pictures.trends_figure(rows, tmp))
    typer.echo(f"{out}: {len(rows)} {by.value} rows", err=True)


@app.command("themes")
def themes_command(
    db: DB,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="FILE", help="themes.html")],
    top: Annotated[int, typer.Option("--top", min=1, help="Themes shown.")] = 30,
) -> None:
    """Which problem themes recur across which organizations (a self-contained page).

    Example: kg viz themes --db seeds.kg --out themes.html
    """
    from kg.themes import themes
    from kg.trends import PROBLEMS_WITH_ORGANIZATIONS
    from kg.viz.trends import themes_html

    store = _store(db)
    found = themes(store.query(PROBLEMS_WITH_ORGANIZATIONS)[1])
    names = dict(store.query("MATCH (o:Organization) RETURN o.key, o.name")[1])
    with atomic_text(str(out)) as f:
        f.write(themes_html(found, names, top))
    typer.echo(f"{out}: {min(top, len(found))} themes", err=True)


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
