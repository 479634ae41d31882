"""Demo reports: the monthly subsidy report of each demo park for the twelve months before
this one, produced by opc.reports as the scheduler would have on each 1st (version 1,
files in storage), so that the reports page and the BI API have a year to show."""

from __future__ import annotations

from datetime import date

from opc.reports.operations import produce_report

MONTHS = 12


def months_before(today: date, count: int = MONTHS) -> list[str]:
    """The `count` months before today's, oldest first ("YYYY-MM")."""
    first = today.year * 12 + today.month - 1
    return [f"{m // 12}-{m % 12 + 1:02d}" for m in range(first - count, first)]


def seed_reports(park_id: int, today: date) -> None:
    """Produce each of the months' reports (each in its own transactions, after the demo's
    records are committed: a report is computed from them)."""
    for period in months_before(today):
        produce_report(park_id=park_id, period=period)
