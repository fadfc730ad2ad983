"""kg sparql, kg validate, kg import: working with RDF exports."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from kg.cli.output import Format, print_rows
from kg.cli.query import _literal, _parse_params
from kg.errors import KgError


def sparql_command(
    file: Annotated[str, typer.Argument(help="An RDF export (.ttl, .nt, .jsonld, .trig).")],
    query: Annotated[Optional[str], typer.Argument(help="A SPARQL SELECT query (or use --name).", show_default=False)] = None,
    name: Annotated[Optional[str], typer.Option("--name", "-n", metavar="NAME", help="A named query from sparql/ (see kg queries --sparql).")] = None,
    param: Annotated[list[str], typer.Option("--param", "-p", metavar="NAME=VALUE", help="NAME=VALUE, bound as a SPARQL variable; repeatable.")] = [],  # noqa: B006
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
) -> None:
    """Run a SPARQL query, or a named one from sparql/, on an RDF export.

    Example: kg sparql seeds.ttl --name recurring-regulations
    """
    from kg.backends import rdf
    from kg.queries import named

    given = _parse_params(param)
    if (query is None) == (name is None):
        raise typer.BadParameter("give either a SPARQL query or --name", param_hint="QUERY/--name")
    if name:
        q = named(name, "sparql")
        text, params = q.cypher, q.bind(given)
    else:
        text, params = query, {k: _literal(v) for k, v in given.items()}
    columns, rows = rdf.sparql(rdf.parse(file), text, params, source=file)
    print_rows(columns, rows, fmt)


def validate_command(
    file: Annotated[str, typer.Argument(help="An RDF export to check against schema/shapes.ttl.")],
) -> None:
    """Check an RDF export against the SHACL shapes; print the violations, if any.

    Example: kg validate seeds.ttl
    """
    from kg.backends import rdf

    conforms, report = rdf.validate(rdf.parse(file))
    if not conforms:
        typer.echo(report)
        raise KgError(f"{file}: does not conform to the kg shapes")
    typer.echo(f"{file}: conforms to the kg shapes", err=True)


def import_command(
    file: Annotated[str, typer.Argument(help="An RDF export made by kg export.")],
    db: Annotated[str, typer.Option("--db", metavar="STORE", help="The store folder to write.", envvar="KG_DB")],
    replace: Annotated[bool, typer.Option("--replace", help="Replace the graph a store holds (built from notices or imported).")] = False,
) -> None:
    """Load an RDF export back into an embedded store: a new or empty folder, or with
    --replace a store that holds a graph already.

    Example: kg import seeds.ttl --db from-rdf.kg
    """
    from kg.backends import rdf
    from kg.backends.embedded import EmbeddedStore

    store = EmbeddedStore(db)
    _refuse_to_replace(store, replace)  # before reading the file, which may take long
    graph = rdf.to_model(rdf.parse(file))
    with store.lock():
        replaced = _refuse_to_replace(store, replace)  # a build may have finished meanwhile
        info = store.write(graph, extra={"imported_from": file})
    typer.echo(f"{db}: {sum(info['nodes'].values())} nodes, {sum(info['relationships'].values())} relationships"
               + (f", replacing the graph {replaced}" if replaced else ""), err=True)


def _refuse_to_replace(store, replace: bool) -> str | None:
    """Where the graph the store holds came from; refused unless `replace`."""
    origin = store.origin()
    if origin and not replace:
        raise KgError(f"{store.path}: holds a graph {origin}; give --replace to replace it with the import")
    return origin
