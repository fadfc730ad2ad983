"""Dates as notices write them, with years taken from context."""
from __future__ import annotations

import datetime as dt

import pytest

from kg.extract.dates import find_dates, find_range, resolve_sequence

D = dt.date


@pytest.mark.parametrize(
    "text,reference,expected",
    [
        ("2024年1月17日", None, [D(2024, 1, 17)]),
        ("8月8日", D(2024, 5, 20), [D(2024, 8, 8)]),  # after the inspection ended
        ("1月17日", D(2023, 12, 1), [D(2024, 1, 17)]),  # next year when the month goes back
        ("截止10月28日", D(2020, 7, 27), [D(2020, 10, 28)]),
        ("2025-06-17 09:00", None, [D(2025, 6, 17)]),
        ("2月30日", D(2024, 1, 1), [None]),  # impossible
        ("2024年13月1日", None, [None]),  # no month 13
        ("9月4日", None, [None]),  # no year and nothing to take it from
    ],
)
def test_resolve(text, reference, expected):
    assert resolve_sequence(find_dates(text), reference) == expected


def test_range_carries_the_year():
    text = "2023年10月11日至12月1日,市委第三巡察组"
    a, b = find_range(text, 0, len(text))
    assert resolve_sequence([a, b]) == [D(2023, 10, 11), D(2023, 12, 1)]
