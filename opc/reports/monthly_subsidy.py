"""The monthly subsidy report of a park: what each team received in the month, in SQL.

Four sections, each a GROUP BY over its source records of the park and month, per team
and source, then the source's totals against its budget:

* rent waived, per rent policy: the waiver lines of the month's *issued* statements (a
  statement's `waived_fen` is the sum of its waiver lines). Drafts are not read: a month's
  report is final only once its statements are issued, and the report says how many teams'
  statements are (`Summary.statements_issued`); re-produce it as a new version after.
  A waiver without a policy is listed under "no policy".
* compute subsidised, per programme: the voucher draws (`usage_draws`) of the park's usage
  records of the month (the park-local month of the record), yuan and GPU-hours. The
  monthly rollup does not know programmes, so the draws are read, through the records'
  (park, month) index.
* fund amounts approved, per call: applications approved (`approved_fen`) whose decision
  falls in the month (park time).
* fund amounts disbursed, per call: tranches paid, by their `paid_on` date in the month.

Budgets: a programme's `budget_fen`, a call's `budget_fen`; rent policies have none.
Rows come out of the database in order and go straight to the writer (opc.reports.files):
nothing holds the whole report in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Select, func, literal, select

from opc.compute.models import Programme, UsageDraw, UsageRecord, Voucher
from opc.compute.usage_queries import add_months, first_day
from opc.extensions import db
from opc.funds.application_models import Application, ApplicationStatus, Disbursement, TrancheStatus
from opc.funds.models import Call
from opc.parks.models import Park
from opc.rent.models import Policy, Statement, StatementLine
from opc.teams.models import Team

STREAM_ROWS = 500


@dataclass(frozen=True)
class Section:
    key: str
    label: Any
    source_label: Any
    has_hours: bool
    has_budget: bool


RENT = Section("rent_waived", _l("Rent waived"), _l("Policy"), False, False)
COMPUTE = Section("compute_subsidised", _l("Compute subsidised"), _l("Programme"), True, True)
APPROVED = Section("fund_approved", _l("Fund approved"), _l("Call"), False, True)
DISBURSED = Section("fund_disbursed", _l("Fund disbursed"), _l("Call"), False, True)
SECTIONS = (RENT, COMPUTE, APPROVED, DISBURSED)


@dataclass(frozen=True)
class Row:
    """A line of the report: a team's amount from one source (`level` "team"), a source's
    total with its budget ("source"), or the section's total ("section")."""

    section: Section
    team_id: int | None
    team_name: str
    source_id: int | None
    source_name: str
    hours_hundredths: int | None
    amount_fen: int
    budget_fen: int | None = None
    level: str = "team"


def month_window(park: Park, period: str) -> tuple[datetime, datetime]:
    """The month as an instant range [start, end) in the park's time zone."""
    zone = ZoneInfo(park.timezone)
    start = datetime.combine(first_day(period), time(0), tzinfo=zone)
    end = datetime.combine(first_day(add_months(period, 1)), time(0), tzinfo=zone)
    return start, end


def _rent(park: Park, period: str) -> Select[Any]:
    where = [
        Statement.park_id == park.id,
        Statement.month == period,
        StatementLine.kind == "waiver",
    ]
    stmt = (
        select(
            Statement.team_id,
            StatementLine.policy_id.label("source_id"),
            literal(None, BigInteger).label("hours"),
            func.sum(-StatementLine.amount_fen).label("fen"),
        )
        .join(Statement, Statement.id == StatementLine.statement_id)
        .where(*where)
        .group_by(Statement.team_id, StatementLine.policy_id)
    )
    return stmt


def _compute(park: Park, period: str) -> Select[Any]:
    stmt = (
        select(
            UsageRecord.team_id,
            Voucher.programme_id.label("source_id"),
            func.sum(UsageDraw.gpu_hours_hundredths).label("hours"),
            func.sum(UsageDraw.subsidy_fen).label("fen"),
        )
        .join(UsageRecord, UsageRecord.id == UsageDraw.record_id)
        .join(Voucher, Voucher.id == UsageDraw.voucher_id)
        .where(UsageRecord.park_id == park.id, UsageRecord.month == period)
        .group_by(UsageRecord.team_id, Voucher.programme_id)
    )
    return stmt


def _approved(park: Park, period: str) -> Select[Any]:
    start, end = month_window(park, period)
    stmt = (
        select(
            Application.team_id,
            Application.call_id.label("source_id"),
            literal(None, BigInteger).label("hours"),
            func.sum(Application.approved_fen).label("fen"),
        )
        .where(
            Application.park_id == park.id,
            Application.approved_fen.is_not(None),
            Application.status.in_((ApplicationStatus.APPROVED, ApplicationStatus.DISBURSED)),
            Application.decided_at >= start,
            Application.decided_at < end,
        )
        .group_by(Application.team_id, Application.call_id)
    )
    return stmt


def _disbursed(park: Park, period: str) -> Select[Any]:
    first, after = first_day(period), first_day(add_months(period, 1))
    stmt = (
        select(
            Application.team_id,
            Application.call_id.label("source_id"),
            literal(None, BigInteger).label("hours"),
            func.sum(Disbursement.amount_fen).label("fen"),
        )
        .join(Application, Application.id == Disbursement.application_id)
        .where(
            Application.park_id == park.id,
            Disbursement.status == TrancheStatus.PAID,
            Disbursement.paid_on >= first,
            Disbursement.paid_on < after,
        )
        .group_by(Application.team_id, Application.call_id)
    )
    return stmt


QUERIES = {
    RENT.key: _rent,
    COMPUTE.key: _compute,
    APPROVED.key: _approved,
    DISBURSED.key: _disbursed,
}
# Per section: the source's table, its name and its budget (None: it has none).
SOURCES: dict[str, tuple[Any, Any, Any]] = {
    RENT.key: (Policy, Policy.name_zh, None),
    COMPUTE.key: (Programme, Programme.name_zh, Programme.budget_fen),
    APPROVED.key: (Call, Call.title_zh, Call.budget_fen),
    DISBURSED.key: (Call, Call.title_zh, Call.budget_fen),
}


def _detail(section: Section, park: Park, period: str) -> Iterator[Row]:
    """The section's rows per team and source, by team then source (one statement)."""
    grouped = QUERIES[section.key](park, period)
    source, source_name, _budget = SOURCES[section.key]
    sub = grouped.subquery()
    stmt = (
        select(sub.c.team_id, Team.name_zh, sub.c.source_id, source_name, sub.c.hours, sub.c.fen)
        .join(Team, Team.id == sub.c.team_id)
        .outerjoin(source, source.id == sub.c.source_id)
        .order_by(Team.name_zh, sub.c.team_id, source_name, sub.c.source_id)
    )
    for team_id, team, source_id, name, hours, fen in db.session.execute(stmt).yield_per(
        STREAM_ROWS
    ):
        yield Row(section, team_id, team, source_id, name or "", _int(hours), int(fen or 0))


def _totals(section: Section, sums: dict[int | None, list[Any]]) -> Iterator[Row]:
    """The section's totals per source (summed from its team rows: the SQL is not run
    twice) beside the source's budget, then the section's total."""
    source, _name, budget = SOURCES[section.key]
    budgets: dict[int, int] = {}
    ids = [i for i in sums if i is not None]
    if budget is not None and ids:
        found = select(source.id, budget).where(source.id.in_(ids))
        budgets = {int(i): int(b) for i, b in db.session.execute(found).tuples()}
    hours_total, fen_total = 0, 0
    for source_id, (name, hours, fen) in sorted(sums.items(), key=lambda i: (i[1][0], i[0] or 0)):
        hours_total += hours or 0
        fen_total += fen
        hours_shown = hours if section.has_hours else None
        yield Row(
            section, None, "", source_id, name, hours_shown, fen, budgets.get(source_id), "source"
        )
    hours = hours_total if section.has_hours else None
    yield Row(section, None, "", None, "", hours, fen_total, None, "section")


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def rows(park: Park, period: str) -> Iterator[Row]:
    """Every row of the report, section by section: teams, then totals."""
    for section in SECTIONS:
        sums: dict[int | None, list[Any]] = {}  # per source: name, hours, fen
        for row in _detail(section, park, period):
            found = sums.setdefault(row.source_id, [row.source_name, 0, 0])
            found[1] += row.hours_hundredths or 0
            found[2] += row.amount_fen
            yield row
        yield from _totals(section, sums)


@dataclass(frozen=True)
class Summary:
    teams_with_statements: int  # the park's teams with an issued statement for the month


def summary(park: Park, period: str) -> Summary:
    issued = db.session.scalar(
        select(func.count(Statement.id)).where(
            Statement.park_id == park.id, Statement.month == period
        )
    )
    return Summary(int(issued or 0))
