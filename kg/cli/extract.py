"""kg extract: notices in, one JSON Lines record per document out."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from kg.cli.common import error, progress
from kg.fileio import atomic_text
from kg.pipeline import extract_paths
from kg.read import iter_sources


def extract_command(
    paths: Annotated[list[str], typer.Argument(help="Files or folders of notices (.txt, .html); - reads stdin.", show_default=False)],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write JSON Lines here (atomically) instead of stdout.")] = None,
) -> None:
    """Notices in, one JSON record per document out, with source spans.

    Reads issuer, inspection, dates, problems, citations, statistics and contacts.
    Writes one JSON record per document, in input order. A file that cannot be read
    is reported on stderr as `kg: FILE: reason`; the others are still processed and
    the exit code is 1.
    """
    sources = list(iter_sources(paths))
    failed = 0
    with atomic_text(str(out) if out else None) as sink:
        for outcome in progress(extract_paths(sources), "Extracting", total=len(sources)):
            if outcome.error:
                failed += 1
                error(str(outcome.error))
                continue
            sink.write(json.dumps(outcome.record, ensure_ascii=False) + "\n")
    if failed:
        error(f"{failed} of {len(sources)} documents failed")
        raise typer.Exit(1)
