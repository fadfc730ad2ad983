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
            doc = read_source(source)
        except InputError as e:
            yield Outcome(source, error=e)
            continue
        yield Outcome(source, record=extract(doc))
