"""Chinese calendar dates: 2023年10月11日, 8月8日, 2025-06-17, 二〇二四年八月二十日, and
ranges 10月11日至12月1日.

A date without a year takes it from a reference date (the last full date before it):
the same year, or the next one when the month would otherwise go back in time.
Impossible dates (2月30日, 13月), dates before 1949 and dates after today are not
dates: a notice with such a date gets none rather than a guess.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kg.extract.layout import CN_DIGITS, cn_number

DATE = re.compile(
    r"""(?:(?P<year>(?:19|20)\d{2})\s*年\s*)?
        (?<![\d.])(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号]""",
    re.VERBOSE,
)
CN_DATE = re.compile(
    r"""(?P<year>[〇零一二三四五六七八九]{4})\s*年\s*
        (?P<month>[一二三四五六七八九十]{1,2})\s*月\s*(?P<day>[一二三四五六七八九十]{1,3})\s*[日号]""",
    re.VERBOSE,
)
EARLIEST = dt.date(1949, 10, 1)
ISO_DATE = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?!\d)")
RANGE_JOINER = re.compile(r"\s*(?:至|到|—|–|-|~|～)\s*")


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    year: int | None
    month: int
    day: int

    def resolve(self, reference: dt.date | None) -> dt.date | None:
        """The calendar date, taking a missing year from `reference`."""
        year = self.year
        if year is None:
            if reference is None:
                return None
            year = reference.year
            if (self.month, self.day) < (reference.month, reference.day):
                year += 1
        try:
            date = dt.date(year, self.month, self.day)
        except ValueError:
            return None
        return date if EARLIEST <= date <= dt.date.today() else None


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[DateMention]:
    """Every date mention in text[start:end], in order."""
    end = len(text) if end is None else end
    found = []
    for pattern in (DATE, ISO_DATE):
        for m in pattern.finditer(text, start, end):
            year = int(m.group("year")) if m.group("year") else None
            found.append(DateMention(m.start(), m.end(), year, int(m.group("month")), int(m.group("day"))))
    for m in CN_DATE.finditer(text, start, end):
        year = int("".join(str(CN_DIGITS[c]) for c in m.group("year")))
        month, day = cn_number(m.group("month")), cn_number(m.group("day"))
        if month and day:
            found.append(DateMention(m.start(), m.end(), year, month, day))
    found.sort(key=lambda d: d.start)
    return found


def resolve_sequence(mentions: list[DateMention], reference: dt.date | None = None) -> list[dt.date | None]:
    """Resolve mentions in reading order, each year-less one against the last full date."""
    out = []
    for m in mentions:
        date = m.resolve(reference)
        out.append(date)
        if date is not None:
            reference = date
    return out


def find_range(text: str, start: int, end: int) -> tuple[DateMention, DateMention] | None:
    """The first 'date 至 date' range in text[start:end]."""
    dates = find_dates(text, start, end)
    for a, b in zip(dates, dates[1:]):
        if RANGE_JOINER.fullmatch(text[a.end : b.start]):
            return a, b
    return None
