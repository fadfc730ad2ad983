"""Paths → extraction records, one document at a time, failures reported not raised."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kg.errors import InputError
from kg.extract import extract
from kg.read import iter_sources, read_source


@dataclass
class Outcome:
    source: str
    record: dict | None = None
    error: InputError | None = None


def extract_paths(paths: Iterable[str]) -> Iterator[Outcome]:
    """One Outcome per input file, in input order; a bad file does not stop the rest."""
    for source in iter_sources(paths):
        try:
            yield Outcome(source, record=extract_source(source))
        except InputError as e:
            yield Outcome(source, error=e)


def extract_source(source: str) -> dict:
    """The record of one file. Any failure, ours included, is an InputError naming the
    file, so that one bad document never stops a run."""
    return extract_document(read_source(source))


def extract_document(doc) -> dict:
    """extract(), with any failure of ours turned into an InputError naming the file."""
    try:
        return extract(doc)
    except Exception as e:  # a bug of ours on unusual text: report it, keep going
        raise InputError(doc.source, f"extraction failed ({type(e).__name__}: {e}); please report this file") from e
