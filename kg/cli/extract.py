"""kg extract: notices in, one JSON Lines record per document out."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from kg.cli.common import FIELD_HELP, error, notices, progress_bar
from kg.errors import KgError, counted
from kg.fileio import atomic_text


def extract_command(
    paths: Annotated[list[str], typer.Argument(help="Files or folders of notices (.txt, .html, feeds .jsonl/.json/.csv, web archives .warc/.warc.gz); - reads stdin.", show_default=False)],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", metavar="FILE", help="Write JSON Lines here (atomically) instead of stdout.")] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1, help="Processes extracting in parallel.")] = 1,
    field: Annotated[Optional[list[str]], typer.Option("--field", metavar="ROLE=NAME", help=FIELD_HELP)] = None,
) -> None:
    """Notices in, one JSON record per document out, with source spans.

    Reads issuer, inspection, dates, problems, citations, statistics and contacts.
    A feed (.jsonl, .json, .csv) or web archive (.warc, .warc.gz) gives one record per
    item, with its url and fetch time.
    Writes one JSON record per document, in input order. A file that cannot be read
    is reported on stderr as `kg: FILE: reason`; the others are still processed and
    written, and the exit code is 1. If no document can be read, --out is left as it
    was (or not created).

    Example: kg extract ../shared/corpus/seeds --out seeds.jsonl
    """
    sources = notices(paths, missing_ok=True, fields=field)  # a missing file is reported in input order
    from kg.build import BuildReport, iter_records

    report = BuildReport()
    reported = 0
    with atomic_text(str(out) if out else None) as sink, progress_bar("Extracting", total=len(sources)) as tick:
        for record in iter_records(sources, None, report, workers, tick):
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
            for failure in report.failures[reported:]:  # report bad files as they come
                error(str(failure))
            reported = len(report.failures)
        for failure in report.failures[reported:]:
            error(str(failure))
        if out and not report.documents:  # raised inside: the temporary file is dropped, never renamed
            kept = "the file was left as it was" if out.exists() else "no file was created"
            raise KgError(f"{out}: none of the {len(sources)} documents could be read; {kept}")
    if report.failures:
        error(f"{len(report.failures)} of {counted(len(sources), 'document')} failed")
        raise typer.Exit(1)
