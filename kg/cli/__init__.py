"""The `kg` command. Thin: each command parses options and calls the library; errors
of ours (KgError) become one line on stderr and exit code 1."""
from __future__ import annotations

import typer

from kg.cli import build, coverage, export, extract, neo4j, query, rdf, viz
from kg.cli.common import error
from kg.errors import KgError

app = typer.Typer(
    name="kg",
    help="Knowledge graphs from Chinese discipline-inspection notices.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("extract")(extract.extract_command)
app.command("build")(build.build_command)
app.command("coverage")(coverage.coverage_command)
app.command("query")(query.query_command)
app.command("queries")(query.queries_command)
app.command("explain")(query.explain_command)
app.command("stats")(query.stats_command)
app.command("export")(export.export_command)
app.command("sparql")(rdf.sparql_command)
app.command("validate")(rdf.validate_command)
app.command("import")(rdf.import_command)
app.command("report")(viz.report_command)
app.add_typer(neo4j.app, name="load")
app.add_typer(viz.app, name="viz")


def main() -> None:
    try:
        app()
    except KgError as e:
        error(str(e))
        raise SystemExit(1) from None
