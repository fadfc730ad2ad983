"""kg viz recurrence, kg report: pictures of the graph."""
from __future__ import annotations

import contextlib
import enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from kg.cli.query import DB, _store
from kg.cli.trends import By
from kg.cli.common import checked_suffix, command_group
from kg.errors import KgError, counted
from kg.fileio import atomic_text, writing

class Language(str, enum.Enum):
    zh = "zh"
    en = "en"


app = command_group("Pictures of the graph.")


PAGE = (".html", ".htm")
PICTURE = (*PAGE, ".png", ".svg")


def _write_picture(out: Path, page, figure):
    """out as a page (.html: page() is its text) or a figure (.png/.svg: figure(path) draws
    it), written atomically. The command checked the extension before its work."""
    suffix = out.suffix.lower()
    if suffix in PAGE:
        with atomic_text(str(out)) as f:
            f.write(page())
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.tmp{suffix}")
    try:
        with writing(out):
            figure(tmp)
            tmp.replace(out)
    finally:
        with contextlib.suppress(OSError):  # gone, or a read-only disk: nothing was left
            tmp.unlink()


class GroupBy(str, enum.Enum):
    province = "province"
    level = "level"


class Kind(str, enum.Enum):
    law = "law"
    party_regulation = "party_regulation"
    regulation = "regulation"
    normative_document = "normative_document"
    internal_rule = "internal_rule"


@app.command("recurrence")
def recurrence_command(
    db: DB,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="FILE", help="recurrence.html (interactive), .png or .svg (static).")],
    top: Annotated[int, typer.Option("--top", min=1, help="Regulations shown: those cited by the most organizations.")] = 30,
    min_organizations: Annotated[int, typer.Option("--min-organizations", min=1, help="Citing organizations a regulation needs to be shown.")] = 2,
    kind: Annotated[Optional[Kind], typer.Option("--kind", help="Only regulations of this kind.")] = None,
    province: Annotated[Optional[str], typer.Option("--province", metavar="NAME", help="Only organizations of this province (as the graph names it: 湖南省).")] = None,
    by: Annotated[GroupBy, typer.Option("--by", help="The matrix's columns: the organizations' province or level.")] = GroupBy.province,
    lang: Annotated[Language, typer.Option("--lang", help="For .html: the page's language (a button switches it).")] = Language.zh,
) -> None:
    """Which regulations recur across organizations.

    Both outputs show the same selection: the --top regulations cited by at least
    --min-organizations organizations, ranked by organizations (bars coloured by kind),
    with each regulation's organizations shared out by province or level (a matrix).
    .html adds a network of a selection (the top N, one regulation, or one province or
    level; labels only where they fit) and the citing sentences; self-contained, it opens
    with no network. .png/.svg: the bars and the matrix, for papers.

    Example: kg viz recurrence --db seeds.kg --out recurrence.html
    """
    checked_suffix(out, PICTURE, "kg viz recurrence")
    from kg.viz import recurrence
    from kg.viz.aggregate import aggregate

    data = aggregate(_store(db), by=by.value, top=top, min_organizations=min_organizations,
                     kind=kind.value if kind else None, province=province)
    if not data.regulations:
        where = f" of {province}" if province else ""
        raise KgError(f"{db}: no regulation{' of kind ' + kind.value if kind else ''} is cited by {min_organizations} "
                      f"or more organizations{where}; lower --min-organizations")
    _write_picture(out, lambda: recurrence.html(data, lang.value), lambda tmp: recurrence.figure(data, tmp))
    typer.echo(f"{out}: {len(data.regulations)} of {counted(data.recurring, 'regulation')} cited by at least "
               f"{counted(min_organizations, 'organization')}, {counted(len(data.organizations), 'organization')}",
               err=True)


@app.command("trends")
def trends_command(
    db: DB,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="FILE", help="trends.html (a page with its data table), .png or .svg.")],
    by: Annotated[By, typer.Option("--by", help="Group notices by year, quarter, province, level or kind.")] = By.year,
) -> None:
    """Small multiples per period: notices, median lags, top problem themes.

    Example: kg viz trends --db seeds.kg --out trends.html
    """
    checked_suffix(out, PICTURE, "kg viz trends")
    from kg.trends import trends
    from kg.viz import trends as pictures

    store = _store(db)
    rows, _ = trends(store, by.value)
    if not rows:
        raise KgError(f"{db}: no dated notices to draw")

    def figure(tmp):  # a figure shows the largest places or kinds, the others in one bar
        few, meta = trends(store, by.value, top=pictures.MAX_GROUPS)
        pictures.trends_figure(few, tmp, by.value, meta["merged"])

    _write_picture(out, lambda: pictures.trends_html(rows, by.value), figure)
    typer.echo(f"{out}: {counted(len(rows), f'{by.value} row')}", err=True)


@app.command("themes")
def themes_command(
    db: DB,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="FILE", help="themes.html (a page).")],
    top: Annotated[int, typer.Option("--top", min=1, help="Themes shown.")] = 30,
    organizations: Annotated[int, typer.Option("--organizations", min=1, help="Organizations shown: those raising the most of the themes shown.")] = 40,
) -> None:
    """Which problem themes recur across which organizations (a self-contained page): the
    --top themes raised by the most organizations, and the --organizations organizations
    raising the most of them (the page says how many of how many).

    Example: kg viz themes --db seeds.kg --out themes.html
    """
    checked_suffix(out, PAGE, "kg viz themes")
    from kg.themes import themes
    from kg.trends import PROBLEMS_WITH_ORGANIZATIONS
    from kg.viz.trends import shown_organizations, themes_html

    store = _store(db)
    found = themes(store.query(PROBLEMS_WITH_ORGANIZATIONS)[1])
    names = dict(store.query("MATCH (o:Organization) RETURN o.key, o.name")[1])
    with atomic_text(str(out)) as f:
        f.write(themes_html(found, names, top, organizations))
    shown, raising = shown_organizations(found[:top], organizations, names)
    typer.echo(f"{out}: {counted(min(top, len(found)), 'theme')}, {len(shown)} of "
               f"{counted(len(raising), 'organization')} raising them", err=True)


def report_command(
    db: DB,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="FILE", help="The report, an HTML file.")],
) -> None:
    """One page, every organization: timeline, problems by heading, regulations by action.

    Example: kg report --db seeds.kg --out report.html
    """
    checked_suffix(out, PAGE, "kg report")
    from kg.viz.report import html

    with atomic_text(str(out)) as f:
        f.write(html(_store(db)))
