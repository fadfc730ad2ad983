"""kg curate: same-as and keep-apart decisions, kept in a file and applied at every build."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from kg.cli.common import command_group
from kg.cli.output import Format, print_rows
from kg.curation import DEFAULT_FILE, LABELS

app = command_group("Same-as and keep-apart decisions, kept in a file (kg-curation.toml).")

FILE = Annotated[str, typer.Option("--file", metavar="FILE", help="The curation file.")]
WHY = Annotated[str, typer.Option("--why", metavar="TEXT", help="Why: kept in the file and in provenance.")]


def _label(label: str) -> str:
    if label not in LABELS:
        raise typer.BadParameter(f"{label!r}: curation applies to {' and '.join(LABELS)}", param_hint="LABEL")
    return label


def _said(d, written: bool) -> None:
    if written:
        typer.echo(f"{d.where}: {d.describe()}; applied at the next kg build", err=True)
    else:
        typer.echo(f"{d.where}: {d.describe()} is already there; nothing written", err=True)


@app.command("same-as")
def same_as_command(
    label: Annotated[str, typer.Argument(metavar="LABEL", help="Regulation or Organization.")],
    keep: Annotated[str, typer.Argument(metavar="A", help="The entity that stays (its key or title).")],
    merge: Annotated[str, typer.Argument(metavar="B", help="The entity merged into A (becomes its alias).")],
    why: WHY = "",
    file: FILE = DEFAULT_FILE,
) -> None:
    """Record that A and B are one entity: B's mentions count as A's at every build.

    \b
    Example: kg curate same-as Regulation 中国共产党支部工作条例 "中国共产党支部工作条例(试行)" --why "one regulation"
    """
    from kg.curation import append

    _said(*append(file, "same-as", _label(label), {"keep": keep, "merge": merge}, why))


@app.command("keep-apart")
def keep_apart_command(
    label: Annotated[str, typer.Argument(metavar="LABEL", help="Regulation or Organization.")],
    key: Annotated[str, typer.Argument(metavar="KEY", help="The entity whose mentions in --doc notices are another one.")],
    doc: Annotated[list[str], typer.Option("--doc", metavar="PATH_OR_SHA", help="A notice (path or SHA-256); repeatable.")],
    why: WHY = "",
    file: FILE = DEFAULT_FILE,
    db: Annotated[Optional[str], typer.Option("--db", metavar="STORE", envvar="KG_DB",
                                              help="Each --doc must be among this store's notices.")] = None,
) -> None:
    """Record that KEY's mentions in these notices are a different entity. Each --doc
    must be a notice file, or with --db one of the store's notices (path or SHA-256).

    \b
    Example: kg curate keep-apart Regulation 中国共产党纪律处分条例 --doc ../shared/corpus/seeds/002_758074bb1886fac5.txt --db seeds.kg --why "2018 revision"
    """
    from pathlib import Path

    from kg.curation import append, check_notices

    known = None
    if db:
        from kg.backends.embedded import EmbeddedStore

        known = {sha for (sha,) in EmbeddedStore(db).query("MATCH (d:Document) RETURN d.key")[1]}
    check_notices(doc, Path(file).parent, known, db)
    _said(*append(file, "keep-apart", _label(label), {"key": key, "docs": list(doc)}, why))


@app.command("list")
def list_command(
    file: FILE = DEFAULT_FILE,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
) -> None:
    """The decisions of a curation file, with their lines.

    Example: kg curate list
    """
    from kg.curation import load

    curation = load(file)
    rows = [[d.line, d.kind, d.label, d.key, d.other, len(d.docs) or None, d.why] for d in curation.decisions]
    print_rows(["line", "decision", "label", "key", "merged", "notices", "why"], rows, fmt, whole=("key", "merged"))


@app.command("suggest")
def suggest_command(
    db: Annotated[str, typer.Option("--db", metavar="STORE", help="The store folder (from kg build).", envvar="KG_DB")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    file: Annotated[Optional[str], typer.Option("--file", metavar="FILE", help="Leave out pairs this file decides.")] = None,
) -> None:
    """Candidate merges a person should look at: titles equal but for (试行), years, 修订,
    brackets or punctuation, known short forms (党章), organizations equal once short
    names are expanded. Each with how many notices cite each side.

    Example: kg curate suggest --db seeds.kg
    """
    import os

    from kg.backends.embedded import EmbeddedStore
    from kg.curation import load
    from kg.curation_suggest import suggestions

    path = file or (DEFAULT_FILE if os.path.isfile(DEFAULT_FILE) else None)
    decided = load(path).decisions if path else ()
    rows = [[s.label, s.keep, s.merge, s.keep_docs, s.merge_docs, s.reason, s.evidence]
            for s in suggestions(EmbeddedStore(db), decided)]
    print_rows(["label", "keep", "merge", "keep notices", "merge notices", "because", "written as"], rows, fmt,
               whole=("keep", "merge"))
    if rows and fmt is Format.table:
        typer.echo("accept one with: kg curate same-as LABEL KEEP MERGE --why …", err=True)
