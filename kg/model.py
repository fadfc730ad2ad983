"""Plain records shared by the stages: a read document and a fact with its provenance."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    """A decoded input. `text` is the coordinate system of every span."""

    source: str  # the path as given, or "-" for stdin
    sha256: str  # of the raw bytes
    encoding: str
    media_type: str  # "text/plain" or "text/html"
    text: str  # decoded original text (for HTML: its main text)
    # Where the page was published and when this copy of it was fetched (a feed item, a
    # WARC record, a saved page); None for a plain file: a citation names the page.
    url: str | None = None
    fetched: str | None = None  # ISO 8601


@dataclass(frozen=True)
class Evidence:
    """Where a value came from: a span of Document.text and the rule that read it."""

    start: int
    end: int
    raw: str
    rule: str

    def as_dict(self) -> dict:
        return {"span": [self.start, self.end], "raw": self.raw, "rule": self.rule}
