"""kg query, kg queries, kg explain, kg stats: asking the store."""
from __future__ import annotations

import re
from typing import Annotated, Optional

import typer

from kg.cli.neo4j import DATABASE, URI, USER
from kg.cli.output import Format, print_rows
from kg.errors import KgError

DB = Annotated[str, typer.Option("--db", metavar="STORE", help="The store folder (from kg build).", envvar="KG_DB")]


def _store(db: str):
    from kg.backends.embedded import EmbeddedStore

    return EmbeddedStore(db)


def _parse_params(items: list[str]) -> dict[str, str]:
    params = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise typer.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        params[name] = value
    return params


def _read_query(source: str) -> str:
    """A query from a file or stdin (-)."""
    import sys

    if source == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise KgError("-: stdin is a terminal; pipe a query in, e.g. `kg query --db DB - < q.cypher`")
        text = sys.stdin.read()
    else:
        try:
            with open(source, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise KgError(f"{source}: cannot read the query ({e.strerror or e})") from None
    if not text.strip():
        raise KgError(f"{source}: the query is empty")
    return text


def _literal(value: str):
    """For ad-hoc queries: numbers as numbers, everything else as text."""
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    if re.fullmatch(r"-?\d+\.\d*", value):
        return float(value)
    return value


def query_command(
    db: Annotated[Optional[str], typer.Option("--db", metavar="STORE", help="The store folder (from kg build).", envvar="KG_DB")] = None,
    cypher: Annotated[Optional[str], typer.Argument(help="A Cypher query; - reads it from stdin (or use --file, --name).", show_default=False)] = None,
    name: Annotated[Optional[str], typer.Option("--name", "-n", metavar="NAME", help="A named query from cypher/ (see kg queries).")] = None,
    file: Annotated[Optional[str], typer.Option("--file", metavar="FILE", help="Read the Cypher query from this file (- for stdin), as cypher-shell -f does.")] = None,
    param: Annotated[list[str], typer.Option("--param", "-p", metavar="NAME=VALUE", help="NAME=VALUE, passed as a Cypher parameter; repeatable.")] = [],  # noqa: B006
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    neo4j: Annotated[bool, typer.Option("--neo4j", help="Ask a Neo4j server (NEO4J_URI or --uri) instead of a store.")] = False,
    uri: URI = None,
    user: USER = None,
    database: DATABASE = None,
) -> None:
    """Run a Cypher query or a named one. Values reach the query only as parameters.

    \b
    Example: kg query --db seeds.kg --name citing-documents --param title=中国共产党纪律处分条例
    """
    from kg.queries import named

    given = _parse_params(param)
    if cypher == "-" or file:
        cypher = _read_query(file or "-")
    if (cypher is None) == (name is None):
        raise typer.BadParameter("give one of a Cypher query, --file or --name", param_hint="QUERY/--file/--name")
    if name:
        q = named(name)
        text, params = q.cypher, q.bind(given)
    else:
        text, params = cypher, {k: _literal(v) for k, v in given.items()}
    if neo4j:
        from kg.cli.neo4j import backend

        with backend(uri, user, database) as server:
            columns, rows = server.query(text, params)
    elif db:
        columns, rows = _store(db).query(text, params)
    else:
        raise typer.BadParameter("give --db STORE (or set KG_DB), or --neo4j", param_hint="--db")
    print_rows(columns, rows, fmt)


def queries_command(
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    sparql: Annotated[bool, typer.Option("--sparql", help="List the SPARQL queries (for kg sparql) instead.")] = False,
) -> None:
    """List the named queries with their purpose and parameters.

    Example: kg queries --sparql
    """
    from kg.queries import library

    rows = []
    for q in library("sparql" if sparql else "cypher").values():
        params = ", ".join(f"{p.name} ({p.type}{'' if p.required else f', default {p.default!r}'})" for p in q.params)
        rows.append([q.name, q.description, params])
    print_rows(["name", "purpose", "parameters"], rows, fmt, whole=("name",))


def explain_command(
    db: DB,
    what: Annotated[str, typer.Argument(help="A node's key, title or name, e.g. 中国共产党纪律处分条例.")],
    limit: Annotated[int, typer.Option("--limit", min=1, help="Relationships shown of each kind, and evidence of each.")] = 50,
) -> None:
    """Why is this here? Provenance of a node and its relationships.

    For each node whose key, title or name matches (traditional forms too), and each
    relationship touching it: the rule that made it and the sentence it was read from.
    A notice (a source's file name or SHA-256, or its Document's key) lists its copies
    first: every source grouped with it, its SHA-256, URL and similarity.

    Example: kg explain --db seeds.kg 中国共产党纪律处分条例 --limit 5
    """
    from kg.explain import copies, explain, similar, theme

    store = _store(db)
    notices = copies(store, what)
    facts = explain(store, what, limit)
    if not facts:
        facts = theme(store, what, limit)  # a problem theme: the problems that raise it
    if not facts and not notices:
        close = similar(store, what)
        hint = f"; titles and names containing it: {'; '.join(close)}" if close else ""
        raise KgError(f"nothing in {db} has key, title or name {what!r}{hint}")
    for notice in notices:
        typer.echo(f"Notice {notice.source or notice.notice}: {len(notice.copies)} source(s)")
        for source, sha256, url, sim in notice.copies:
            typer.echo(f"    {source}  sha256 {sha256}  similarity {sim}%" + (f"  {url}" if url else ""))
    for fact in facts:
        if fact.total is not None:
            typer.echo(f"    … {fact.total - fact.shown} more: {fact.what} (--limit {fact.total} shows all)")
            continue
        typer.echo(fact.what)
        for e in fact.evidence:
            where = e.source if e.span == [0, 0] else f"{e.source}:{e.span[0]}-{e.span[1]}"
            where += f" <{e.url}>" if e.url else ""  # the page to cite, for a notice read from the web
            typer.echo(f"    {where}  [{e.rule}]  {e.context or e.quote}")
        if fact.more:
            total = len(fact.evidence) + fact.more
            typer.echo(f"    … {fact.more} more: evidence, {len(fact.evidence)} of {total} shown (--limit {total} shows all)")


def stats_command(
    db: DB,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
) -> None:
    """Nodes per label and relationships per type, counted in the store.

    Example: kg stats --db seeds.kg
    """
    nodes, relationships = _store(db).counts()
    rows = [["node", label, n] for label, n in nodes.items()]
    rows += [["relationship", rel_type, n] for rel_type, n in relationships.items()]
    print_rows(["kind", "name", "count"], rows, fmt)
