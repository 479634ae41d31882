"""The SQL of the outcome dashboard: a park's year (and the year before, for growth) in a
fixed handful of statements, whatever the number of teams.

* output: the current versions of the KPI reports (superseded_at IS NULL), summed per
  year, quarter and track (one GROUP BY);
* residents at each month end (a team's status on a day is the last change of its
  history on or before it; a team with no history counts from its `status_since`) and
  the area allocated on that day (allocations hold [start, end));
* graduations: the history's changes to "graduated", with the teams' names;
* subsidy spent per month: rent waived on issued statements (`waived_fen`, the sum of
  their waiver lines), compute subsidised (the usage records' `subsidy_fen`, the sum of
  their voucher draws, by the park-local month of the usage) and fund tranches paid (by
  `paid_on`). The same sources as the monthly subsidy report (opc.reports), which this
  package may not import (a sibling layer): a test checks both agree to the fen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, and_, exists, extract, func, literal, or_, select, union_all

from opc.compute.models import UsageRecord
from opc.extensions import db
from opc.funds.application_models import Application, Disbursement, TrancheStatus
from opc.kpis.models import KpiReport
from opc.parks.models import Park
from opc.rent.models import Statement
from opc.space.models import Allocation, Unit
from opc.teams.models import Team, TeamStatus, TeamStatusChange

# The figures summed from the reports, in the order tables show them. "ip_applied" and
# "ip_granted" add patents, software copyrights and trademarks.
FLOWS = (
    "revenue_fen",
    "taxes_fen",
    "financing_fen",
    "rnd_fen",
    "ip_applied",
    "ip_granted",
    "works_released",
)
STOCKS = ("headcount", "graduates_hired")  # a year's is its last quarter's, never a sum
SUBSIDY_SOURCES = ("rent_waived_fen", "compute_subsidised_fen", "funds_disbursed_fen")


@dataclass
class Output:
    """What teams reported: flows summed over quarters, stocks of one quarter."""

    revenue_fen: int = 0
    taxes_fen: int = 0
    financing_fen: int = 0
    rnd_fen: int = 0
    ip_applied: int = 0
    ip_granted: int = 0
    works_released: int = 0
    headcount: int = 0
    graduates_hired: int = 0
    reports: int = 0  # current reports counted (team-quarters)

    def add(self, other: Output, *, stocks: bool = True) -> None:
        """Add another's flows (and its stocks when `stocks`: the same quarter's)."""
        for name in FLOWS + (STOCKS if stocks else ()):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.reports += other.reports

    @property
    def revenue_and_taxes_fen(self) -> int:
        return self.revenue_fen + self.taxes_fen


def output_rows(park: Park, years: Iterable[int]) -> dict[tuple[int, int, str], Output]:
    """(year, quarter, track) → the sum of the park's current reports: one statement."""
    k = KpiReport
    stmt = (
        select(
            k.year,
            k.quarter,
            Team.track,
            func.sum(k.revenue_fen),
            func.sum(k.taxes_fen),
            func.sum(k.financing_fen),
            func.sum(k.rnd_fen),
            func.sum(k.patents_applied + k.software_copyrights_applied + k.trademarks_applied),
            func.sum(k.patents_granted + k.software_copyrights_granted + k.trademarks_granted),
            func.sum(k.works_released),
            func.sum(k.headcount),
            func.sum(k.graduates_hired),
            func.count(k.id),
        )
        .join(Team, Team.id == k.team_id)
        .where(Team.park_id == park.id, k.superseded_at.is_(None), k.year.in_(list(years)))
        .group_by(k.year, k.quarter, Team.track)
    )
    found: dict[tuple[int, int, str], Output] = {}
    for year, quarter, track, *sums in db.session.execute(stmt).tuples():
        found[(int(year), int(quarter), str(track))] = Output(*(int(s or 0) for s in sums))
    return found


def _days(days: list[date]) -> Any:
    """The days as a one-column table to join (a union of constant rows: both databases)."""
    rows = [select(literal(day, Date).label("day")) for day in days]
    return (rows[0] if len(rows) == 1 else union_all(*rows)).subquery("days")


def residents_on(park: Park, days: list[date]) -> dict[date, int]:
    """How many of the park's teams were resident at the end of each day: one statement."""
    if not days:
        return {}
    table = _days(days)
    change = TeamStatusChange
    status_then = (
        select(change.to_status)
        .where(change.team_id == Team.id, change.on <= table.c.day)
        .order_by(change.on.desc(), change.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    # Teams created before histories were kept: their status, since `status_since`.
    without_history = and_(
        ~exists().where(change.team_id == Team.id),
        Team.status == TeamStatus.RESIDENT,
        or_(Team.status_since.is_(None), Team.status_since <= table.c.day),
    )
    stmt = (
        select(table.c.day, func.count(Team.id))
        .select_from(table)
        .join(Team, Team.park_id == park.id)
        .where(or_(status_then == TeamStatus.RESIDENT, without_history))
        .group_by(table.c.day)
    )
    counts = {_as_date(day): int(n) for day, n in db.session.execute(stmt).tuples()}
    return {day: counts.get(day, 0) for day in days}


def allocated_on(park: Park, days: list[date]) -> dict[date, Decimal]:
    """The area (m²) of the park's units held on each day: one statement."""
    if not days:
        return {}
    table = _days(days)
    held = and_(
        Allocation.start <= table.c.day,
        or_(Allocation.end.is_(None), Allocation.end > table.c.day),
    )
    stmt = (
        select(table.c.day, func.sum(Unit.area_m2))
        .select_from(table)
        .join(Allocation, held)
        .join(Unit, and_(Unit.id == Allocation.unit_id, Unit.park_id == park.id))
        .group_by(table.c.day)
    )
    areas = {_as_date(day): _area(m2) for day, m2 in db.session.execute(stmt).tuples()}
    return {day: areas.get(day, Decimal("0.00")) for day in days}


@dataclass(frozen=True)
class Graduation:
    team_id: int
    name_zh: str
    name_en: str
    track: str
    on: date

    def display_name(self, locale: str) -> str:
        return self.name_en if locale.startswith("en") and self.name_en else self.name_zh


def graduations(park: Park, first: date, after: date) -> list[Graduation]:
    """The park's teams that graduated in [first, after), in order: one statement."""
    change = TeamStatusChange
    stmt = (
        select(Team.id, Team.name_zh, Team.name_en, Team.track, change.on)
        .join(Team, Team.id == change.team_id)
        .where(
            Team.park_id == park.id,
            change.to_status == TeamStatus.GRADUATED,
            change.on >= first,
            change.on < after,
        )
        .order_by(change.on, Team.name_zh, Team.id)
    )
    return [
        Graduation(int(i), zh, en or "", track, _as_date(on))
        for i, zh, en, track, on in db.session.execute(stmt).tuples()
    ]


def subsidy_by_month(park: Park, first: date, after: date) -> dict[tuple[int, int], list[int]]:
    """(year, month) → [rent waived, compute subsidised, funds disbursed] in fen over the
    months of [first, after) (first days of months): three statements, one per source."""
    months = _months(first, after)
    found: dict[tuple[int, int], list[int]] = {m: [0, 0, 0] for m in months}
    periods = [f"{y:04d}-{m:02d}" for y, m in months]
    rent = (
        select(Statement.month, func.sum(Statement.waived_fen))
        .where(Statement.park_id == park.id, Statement.month.in_(periods))
        .group_by(Statement.month)
    )
    compute = (
        select(UsageRecord.month, func.sum(UsageRecord.subsidy_fen))
        .where(UsageRecord.park_id == park.id, UsageRecord.month.in_(periods))
        .group_by(UsageRecord.month)
    )
    for source, stmt in ((0, rent), (1, compute)):
        for period, fen in db.session.execute(stmt).tuples():
            year, month = (int(part) for part in str(period).split("-"))
            found[(year, month)][source] += int(fen or 0)
    paid_year = extract("year", Disbursement.paid_on)
    paid_month = extract("month", Disbursement.paid_on)
    funds = (
        select(paid_year, paid_month, func.sum(Disbursement.amount_fen))
        .join(Application, Application.id == Disbursement.application_id)
        .where(
            Application.park_id == park.id,
            Disbursement.status == TrancheStatus.PAID,
            Disbursement.paid_on >= first,
            Disbursement.paid_on < after,
        )
        .group_by(paid_year, paid_month)
    )
    for year, month, fen in db.session.execute(funds).tuples():
        found[(int(year), int(month))][2] += int(fen or 0)
    return found


def _months(first: date, after: date) -> list[tuple[int, int]]:
    months, year, month = [], first.year, first.month
    while date(year, month, 1) < after:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _as_date(value: Any) -> date:
    """A day read back from a constant row: SQLite answers its text."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _area(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))
