"""The `kg` command. Thin: each command parses options and calls the library. Every
error a user can cause is one line on stderr, `kg: …`: errors of ours (KgError) exit
with 1, mistakes in the command line (a missing option, a bad value) with 2."""
from __future__ import annotations

import sys

import typer
from typer._click import exceptions as click_exceptions
from typer.exceptions import Abort

from kg.cli import build, coverage, curate, export, extract, neo4j, query, rdf, trends, viz
from kg.cli.common import PLAIN_HELP, error
from kg.cli.output import utf8_streams
from kg.errors import KgError


def _plain_types(display):
    """typer prints a parameter's Python type as a placeholder (<str>, <bool>, <list[str]>);
    users read a metavar (STORE, NAME=VALUE, N) or, for a flag or an argument, nothing."""
    words = {"str": "TEXT", "int": "N", "int range": "N", "float": "NUMBER", "list[str]": "TEXT", "path": "PATH"}

    def plain(self, ctx):
        shown = display(self, ctx)
        if shown is None or isinstance(self, typer.core.TyperArgument) or shown == "<bool>":
            return None
        if self.metavar:
            return self.metavar
        inner = shown.strip("<>")
        return words.get(inner, inner)

    return plain


for _param in (typer.core.TyperOption, typer.core.TyperArgument):
    _param.display_type_rich = _plain_types(_param.display_type_rich)

app = typer.Typer(
    name="kg",
    help="Knowledge graphs from Chinese discipline-inspection notices.",
    no_args_is_help=True,
    add_completion=True,  # kg --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    pretty_exceptions_enable=False,
    rich_markup_mode=PLAIN_HELP,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"kg {version('kg')}")
        except PackageNotFoundError:  # running from a source tree that was never installed
            typer.echo("kg (not installed)")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True,
                                 help="Print kg's version and exit."),
) -> None:
    pass  # the app's help says what kg is; this only carries --version


app.command("extract")(extract.extract_command)
app.command("build")(build.build_command)
app.command("coverage")(coverage.coverage_command)
app.command("trends")(trends.trends_command)
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
app.add_typer(curate.app, name="curate")
app.add_typer(viz.app, name="viz")


def main(args: list[str] | None = None) -> None:
    utf8_streams()  # before any output: one encoding everywhere, whatever the locale says
    command = typer.main.get_command(app)
    try:
        code = command.main(args=args, prog_name="kg", standalone_mode=False)
    except KgError as e:
        error(str(e))
        raise SystemExit(1) from None
    except click_exceptions.NoArgsIsHelpError as e:
        typer.echo(e.format_message(), err=True)  # `kg` alone, `kg viz`: the help
        raise SystemExit(0) from None
    except click_exceptions.UsageError as e:
        path = e.ctx.command_path if e.ctx else "kg"
        error(f"{e.format_message()} (`{path} --help` for usage)")
        raise SystemExit(2) from None
    except click_exceptions.ClickException as e:
        error(e.format_message())
        raise SystemExit(e.exit_code) from None
    except Abort:
        error("aborted")
        raise SystemExit(130) from None
    except OSError as e:  # one no command turned into a message: the file and the system's reason
        error(f"{e.filename}: {e.strerror}" if e.filename and e.strerror else str(e))
        raise SystemExit(1) from None
    if code == 130:  # typer's answer to Ctrl-C (KeyboardInterrupt), said in no words
        error("aborted")
    sys.exit(code if isinstance(code, int) else 0)
