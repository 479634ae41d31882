"""Calendar arithmetic of rent: months of residency counted from move-in, month ranges."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (Jan 31 + 1 = Feb 28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def residency_month(move_in: date, day: date) -> int:
    """The n-th month of residency `day` falls in: 1 from move-in until the same day a month
    later (exclusive), and so on; 0 before move-in."""
    if day < move_in:
        return 0
    n = (day.year - move_in.year) * 12 + day.month - move_in.month
    while n > 0 and add_months(move_in, n) > day:
        n -= 1
    return n + 1


def month_bounds(month: str) -> tuple[date, date]:
    """ "2026-03" as [first day, first day of the next month)."""
    if not re.fullmatch(MONTH_PATTERN, month):
        raise ValueError(month)
    first = date(int(month[:4]), int(month[5:]), 1)
    return first, add_months(first, 1)


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def days_in(first: date) -> int:
    return calendar.monthrange(first.year, first.month)[1]


def previous_month(month: str) -> str:
    first, _end = month_bounds(month)
    return month_of(first - timedelta(days=1))
