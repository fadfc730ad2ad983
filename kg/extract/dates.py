"""Chinese calendar dates: 2023年10月11日, 8月8日, 2025-06-17, 2022.06.08, 2022/08/04,
二〇二四年八月二十日, ranges 10月11日至12月1日 / 10月11日—12月1日, and month ranges
2022年5月至6月 (month precision: 2022-05).

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
RANGE_JOINER = re.compile(r"\s*起?\s*(?:至|到|—|–|-|~|～)\s*")
# 2023年,市委第三巡察组于10月11日至12月1日…: a year stated alone, for the dates after it.
BARE_YEAR = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月|度)")
# 2022年5月至6月, 2022年11月至2023年1月: a period stated to the month only.
MONTH_RANGE = re.compile(
    r"""(?P<y1>(?:19|20)\d{2})\s*年\s*(?P<m1>\d{1,2})\s*月(?:份|上旬|中旬|下旬|初|中|底|末)?
        \s*(?:至|到|—|–|-|~|～)\s*
        (?:(?P<y2>(?:19|20)\d{2})\s*年\s*)?(?P<m2>\d{1,2})\s*月(?:份|上旬|中旬|下旬|初|中|底|末)?(?!\s*\d)""",
    re.VERBOSE,
)
# Digits before 日 that no date pattern read: a date the page mangled (202131日).
DATE_LIKE = re.compile(r"(?<![\d.])\d{3,8}\s*日")


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


@dataclass(frozen=True)
class MonthRange:
    start: int
    end: int
    first: str  # 2022-05
    last: str


def find_month_range(text: str, start: int, end: int) -> MonthRange | None:
    """The first '2022年5月至6月' period in text[start:end], if its months are real."""
    for m in MONTH_RANGE.finditer(text, start, end):
        y1, m1, m2 = int(m.group("y1")), int(m.group("m1")), int(m.group("m2"))
        y2 = int(m.group("y2")) if m.group("y2") else (y1 if m2 >= m1 else y1 + 1)
        if 1 <= m1 <= 12 and 1 <= m2 <= 12 and (y1, m1) <= (y2, m2) and dt.date(y1, m1, 1) >= EARLIEST \
                and dt.date(y2, m2, 1) <= dt.date.today():
            return MonthRange(m.start(), m.end(), f"{y1}-{m1:02d}", f"{y2}-{m2:02d}")
    return None


def unreadable_dates(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans in text[start:end] that look like dates but that no pattern reads."""
    read = find_dates(text, start, end)
    return [m.span() for m in DATE_LIKE.finditer(text, start, end)
            if not any(d.start <= m.start() < d.end for d in read)]
