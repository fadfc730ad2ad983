"""What every extractor receives: the document, its matching view and its lines.

A notice as found on the web starts with page furniture before its first sentence:
breadcrumbs, a `来源: … 发布时间: …` line, font-size buttons, the title. The *header*
is those lines; the *opening* is the first line that reads as prose; the *preamble* is
the opening and the few paragraphs after it, where notices tell the inspection visit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from kg.extract import layout
from kg.model import Document, Evidence
from kg.normalize import normalize


# Lines a web page appends after the signature: source, editor, link.
SOURCE_LINE = re.compile(r"^(来源|编辑|责任编辑|本文链接|链接|作者|审核|校对|发布时间|\|)")
HEADER_LINES = 40  # page furniture (menus, breadcrumbs) before the first sentence rarely takes more
PREAMBLE_LINES = 6
PREAMBLE_CHARS = 1600


@dataclass
class Context:
    doc: Document
    record: dict = field(default_factory=dict)  # fields filled by earlier extractors
    warnings: list[dict] = field(default_factory=list)  # what a rule saw but could not place

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

    @cached_property
    def opening_index(self) -> int | None:
        """Index in `lines` of the first line that reads as prose (a sentence with a comma)."""
        for i, line in enumerate(self.lines[:HEADER_LINES]):
            if len(line.text) > 40 and ("," in line.text or "。" in line.text) and " > " not in line.text:
                return i
        return None

    @property
    def header_lines(self) -> list[layout.Line]:
        """The lines before the opening: page furniture and the title."""
        end = self.opening_index if self.opening_index is not None else min(2, len(self.lines))
        return self.lines[:end]

    def opening(self) -> tuple[int, int]:
        """The span of the opening paragraph."""
        if self.opening_index is not None:
            line = self.lines[self.opening_index]
            return line.start, line.end
        first = self.lines[0] if self.lines else None
        return (first.start, first.end) if first else (0, 0)

    def preamble(self) -> tuple[int, int]:
        """The opening and the paragraphs after it, where the visit is told."""
        if not self.lines:
            return 0, 0
        first = self.opening_index if self.opening_index is not None else 0
        start = self.lines[first].start
        end = self.lines[first].end
        for line in self.lines[first + 1 : first + PREAMBLE_LINES]:
            if line.end - start > PREAMBLE_CHARS:
                break
            end = line.end
        return start, end

    def split_trailing_date(self, line: layout.Line) -> tuple[int, object | None]:
        """(where the text before a line's trailing date ends, that date mention), or
        (line end, None): `中共××局党组 2023年12月20日` flattened onto one line by a web
        page, `…的通报 (2024-07-26)` in a page header."""
        from kg.extract.dates import find_dates

        dates = find_dates(self.norm, line.start, line.end)
        last = dates[-1] if dates else None
        if last is None or self.norm[last.end : line.end].strip(" )") or last.start == line.start:
            return line.end, None
        end = last.start
        while end > line.start and self.norm[end - 1] in " (":
            end -= 1
        return end, last

    def evidence(self, start: int, end: int, rule: str) -> Evidence:
        return Evidence(start, end, self.doc.text[start:end], rule)

    def fact(self, start: int, end: int, rule: str, **values) -> dict:
        """A value from the text with its span, raw text and rule."""
        return {**values, **self.evidence(start, end, rule).as_dict()}

    def warn(self, start: int, end: int, rule: str, message: str) -> None:
        """Record text a rule recognised but could not turn into a value."""
        self.warnings.append({**self.evidence(start, end, rule).as_dict(), "message": message})
