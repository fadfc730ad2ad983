"""kg serve: the store as web pages (kg.serve), for readers who will not write Cypher."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from kg.cli.query import DB, _store
from kg.errors import KgError


def serve_command(
    db: DB,
    host: Annotated[str, typer.Option("--host", metavar="ADDRESS", help="Address to listen on (any other than 127.0.0.1 opens the pages to the network).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8001,
    curation: Annotated[Optional[str], typer.Option("--curation", metavar="FILE", help="A curation file the pages may add same-as and keep-apart decisions to (without it they write nothing).")] = None,
    connections: Annotated[int, typer.Option("--connections", min=2, metavar="N", help="Requests answered at once, each with its own connection to the store (statements typed by users take at most N-1).")] = 4,
    query_seconds: Annotated[float, typer.Option("--query-seconds", min=0.1, metavar="SECONDS", help="How long a statement typed in the Cypher box or a named query may run before it is interrupted.")] = 30.0,
) -> None:
    """Serve the store read-only as web pages: each notice with its facts marked in its
    text, each regulation and organization, search, the named queries and a Cypher box.
    Every page has a JSON twin (add .json to its path).

    Example: kg serve --db seeds.kg
    """
    try:
        import uvicorn

        from kg.serve.app import allowed_hosts, create_app
    except ModuleNotFoundError as e:
        raise KgError(f"kg serve needs {e.name}: pip install 'kg[serve]'") from None
    store = _store(db)
    store.counts()  # a store that cannot be read says so now, not on the first page
    if curation:
        from kg.curation import load
        import os

        if os.path.exists(curation):
            load(curation)  # a file kg could not append to is refused before serving
    _check_free(host, port)
    typer.echo(f"kg serve: http://{host}:{port}/ (Ctrl-C stops)", err=True)
    app = create_app(store, curation, allowed_hosts(host), connections=connections, query_seconds=query_seconds)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _check_free(host: str, port: int) -> None:
    """A port taken (or an address not of this machine) is one line, before uvicorn's log."""
    import socket

    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family) as s:
            s.bind((host, port))
    except OSError as e:
        raise KgError(f"{host}:{port}: {e.strerror or e}") from None
