"""kg trends: what changes over time, which problems recur, which regulations travel together."""
from __future__ import annotations

import enum
from typing import Annotated, Optional

import typer

from kg.cli.output import Format, print_rows
from kg.cli.query import DB, _store


class By(str, enum.Enum):
    year = "year"
    quarter = "quarter"
    province = "province"
    level = "level"
    kind = "kind"
    framework = "framework"


def _lag(q: dict | None) -> str:
    return "" if q is None else f"{q['median']:g} ({q['q1']:g}–{q['q3']:g}, n={q['n']})"


def trends_command(
    db: DB,
    by: Annotated[By, typer.Option("--by", help="Group notices by year, quarter, province, level or kind; framework: problems per year and inspection framework item.")] = By.year,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    themes: Annotated[bool, typer.Option("--themes", help="List problem themes by how many organizations raise them.")] = False,
    communities: Annotated[bool, typer.Option("--communities", help="List communities of regulations cited together.")] = False,
    terms: Annotated[Optional[str], typer.Option("--terms", metavar="FILE", help="Your own fixed terms for themes, one per line, looked for in the whole problem.")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Themes or communities listed.")] = 30,
    min_organizations: Annotated[int, typer.Option("--min-organizations", min=1, help="With --communities: the organizations that must cite a community's regulations.")] = 2,
) -> None:
    """Per period: notices, inspections, organizations, lags (median, quartiles), the
    regulations most cited and those new since the period before, the problem
    categories and themes most raised. A notice belongs to its inspection's start date,
    else its publication date (the dated_by column says which).

    Example: kg trends --db seeds.kg --by year --format json
    """
    from kg import themes as theme_module
    from kg import trends as trend_module

    store = _store(db)
    extra = theme_module.read_terms(terms)
    if themes:
        found = trend_module.ranked_themes(store, extra)[:top]
        print_rows(["theme", "keyness", "organizations", "problems", "example"],
                   [[t.term, round(t.keyness, 1), len(t.organizations), len(t.problems), t.problems[0][2][:40]]
                    for t in found], fmt)
        return
    if communities:
        groups = trend_module.communities(store, min_organizations=min_organizations)[:top]
        print_rows(["community", "regulations", "organizations", "members"],
                   [[i, c["size"], c["organizations"], c["members"]] for i, c in enumerate(groups, 1)], fmt)
        return
    rows, meta = trend_module.trends(store, by.value, extra)
    if by is By.framework and fmt not in (Format.json, Format.jsonl):
        print_rows(["year", "framework", "item", "problems", "notices", "organizations", "top themes"],
                   [[r["period"], r["framework"], r["item"], r["problems"], r["notices"], r["organizations"],
                     r["top_themes"]] for r in rows], fmt, whole=("year",))
        typer.echo(meta["left_out"], err=True)
        return
    if fmt in (Format.json, Format.jsonl):  # the rows whole, nested values included
        print_rows(list(rows[0]) if rows else [], [list(r.values()) for r in rows], fmt)
    else:
        columns = [by.value, "notices", "by start/published", "inspections", "organizations", "days end→feedback",
                   "days feedback→report", "top regulations", "new regulations", "top categories", "top themes"]
        table = [[r["period"], r["notices"], f"{r['dated_by']['inspection_start']}/{r['dated_by']['published']}",
                  r["inspections"], r["organizations"], _lag(r["days_end_to_feedback"]),
                  _lag(r["days_feedback_to_publication"]), [x["title"] for x in r["top_regulations"]],
                  r["new_regulations"], [x["category"] for x in r["top_categories"]],
                  [x["theme"] for x in r["top_themes"]]] for r in rows]
        print_rows(columns, table, fmt, whole=(by.value,))
    said = f"{meta['dated_by']}; " if by.value in trend_module.TIME else ""
    typer.echo(said + meta["left_out"], err=True)
