"""Quarters of the calendar year, the periods KPI reports are filed for.

A team files the quarter before today's (Q3 from 1 October on) and owes it by the 15th of
the month after the quarter (KPI_DUE_DAY); a quarter is written "2026-Q3" in URLs, the API
and exports, and named in words on pages ("2026年第3季度" / "Q3 2026").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

KPI_DUE_DAY = 15  # the day of the month after the quarter by which the report is due
FIRST_YEAR, LAST_YEAR = 2000, 2100  # as the table's year_sane constraint
_TEXT = re.compile(r"(\d{4})-Q([1-4])", re.ASCII)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not (FIRST_YEAR <= self.year <= LAST_YEAR and 1 <= self.quarter <= 4):
            raise ValueError(f"no such quarter: {self.year}-Q{self.quarter}")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """ "2026-Q3" → Quarter(2026, 3); ValueError on anything else (also years outside
        2000–2100, which the table refuses)."""
        found = _TEXT.fullmatch(text) if isinstance(text, str) else None
        if found is None:
            raise ValueError(f"not a quarter: {text!r}")
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def of(cls, day: date) -> Quarter:
        """The quarter `day` falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        """The day after the quarter (exclusive end)."""
        if self.quarter == 4:
            return date(self.year + 1, 1, 1)
        return date(self.year, 3 * self.quarter + 1, 1)

    @property
    def due_on(self) -> date:
        """The day the report is due: the 15th of the month after the quarter."""
        return self.end.replace(day=KPI_DUE_DAY)

    def previous(self) -> Quarter:
        if self.quarter == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.quarter - 1)

    def next(self) -> Quarter:
        if self.quarter == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.quarter + 1)

    @property
    def label(self) -> str:
        """The quarter in words, in the page's language."""
        return _("Q%(quarter)d %(year)d", quarter=self.quarter, year=self.year)


def to_file(today: date) -> Quarter:
    """The quarter a team files now: the one before today's (on 2026-10-01, 2026-Q3)."""
    return Quarter.of(today).previous()


def parse_or_none(text: str | None) -> Quarter | None:
    """The quarter written in `text`, or None when it is not one (query strings)."""
    try:
        return Quarter.parse(text or "")
    except ValueError:
        return None
