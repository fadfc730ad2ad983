"""What every extractor receives: the document, its matching view and its lines."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from kg.extract import layout
from kg.model import Document, Evidence
from kg.normalize import normalize


# Lines a web page appends after the signature: source, editor, link.
SOURCE_LINE = re.compile(r"^(来源|编辑|责任编辑|本文链接|链接|作者|审核|校对|发布时间|\|)")


@dataclass
class Context:
    doc: Document
    record: dict = field(default_factory=dict)  # fields filled by earlier extractors

    @cached_property
    def norm(self) -> str:
        """Simplified, half-width view; offsets equal those of doc.text."""
        return normalize(self.doc.text)

    @cached_property
    def lines(self) -> list[layout.Line]:
        return layout.lines(self.norm)

    @cached_property
    def headings(self) -> list[layout.Heading]:
        return [h for h in map(layout.heading_of, self.lines) if h]

    @cached_property
    def closing_lines(self) -> list[layout.Line]:
        """The last lines of the notice itself (signature block), without source lines."""
        return [line for line in self.lines[-8:] if not SOURCE_LINE.match(line.text)]

    def evidence(self, start: int, end: int, rule: str) -> Evidence:
        return Evidence(start, end, self.doc.text[start:end], rule)

    def fact(self, start: int, end: int, rule: str, **values) -> dict:
        """A value from the text with its span, raw text and rule."""
        return {**values, **self.evidence(start, end, rule).as_dict()}

    def opening(self) -> tuple[int, int]:
        """The span of the opening paragraph: the first line that reads as prose."""
        for line in self.lines[:4]:
            if "," in line.text and len(line.text) > 40:
                return line.start, line.end
        first = self.lines[0] if self.lines else None
        return (first.start, first.end) if first else (0, 0)
