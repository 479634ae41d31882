"""Read models of usage: sums over a filter, a page of records, and the sums by month for a
chart.

The sums the explorer, the chart, GET /usage's total and the monthly report show are read
from the monthly rollup (opc.compute.usage_months: per park, month, team, provider and GPU
type, and per park, month and team; kept by the ingestion), never from the records: their
cost follows the number of teams, not of records. A page of records is read through the
(park, month, id), (team, month, id) or (provider, month, id) index, newest first. The
settlements' drafts still sum the records not settled yet (`sums`): the rollup does not
know which are.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, bindparam, func, select

from opc.compute.models import UsageRecord
from opc.compute.sortings import RECORDS
from opc.compute.usage_months import UsageMonth, UsageTeamMonth
from opc.core.sorting import Sort
from opc.extensions import db

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
FIRST_MONTH = "2000-01"  # no usage is older than the platforms that report it
CHART_MONTHS = 12
GPU_TYPE_LENGTH = 40  # UsageRecord.gpu_type


# --- months ------------------------------------------------------------------------------


def is_month(value: Any) -> bool:
    """A month written YYYY-MM (from 2000 on: FIRST_MONTH)."""
    return (
        isinstance(value, str)
        and re.fullmatch(MONTH_PATTERN, value) is not None
        and value >= FIRST_MONTH
    )


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def first_day(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def add_months(month: str, months: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def has_ended(month: str, today: date) -> bool:
    """Whether the month is over on the park's `today` (its last day has passed)."""
    return today >= first_day(add_months(month, 1))


def months_to(last: str, count: int) -> list[str]:
    """The `count` months ending with `last`, oldest first."""
    return [add_months(last, -n) for n in range(count - 1, -1, -1)]


# --- sums --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    records: int = 0
    gpu_hours_hundredths: int = 0
    cost_fen: int = 0
    subsidy_fen: int = 0

    @property
    def team_share_fen(self) -> int:
        """What the teams owe the provider: the cost less what the vouchers paid."""
        return self.cost_fen - self.subsidy_fen

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.records + other.records,
            self.gpu_hours_hundredths + other.gpu_hours_hundredths,
            self.cost_fen + other.cost_fen,
            self.subsidy_fen + other.subsidy_fen,
        )


@dataclass(frozen=True)
class UsageFilter:
    """What the explorer and GET /usage narrow the records to; `month` None is every month
    (the API's history, paged by id)."""

    month: str | None = None
    park_id: int | None = None
    team_id: int | None = None
    provider_id: int | None = None
    gpu_type: str | None = None

    def values(self, *, with_gpu_type: bool = True) -> dict[str, Any]:
        """The filters given, by column name (each a column of the records and of the
        rollup's key)."""
        given = {
            "month": self.month,
            "park_id": self.park_id,
            "team_id": self.team_id,
            "provider_id": self.provider_id,
            "gpu_type": self.gpu_type if with_gpu_type else None,
        }
        return {name: value for name, value in given.items() if value is not None}

    def where(
        self, *, with_gpu_type: bool = True, model: Any = UsageRecord
    ) -> list[ColumnElement[bool]]:
        """The filter on the records, or (`model` UsageMonth) on their monthly sums."""
        given = self.values(with_gpu_type=with_gpu_type)
        return [getattr(model, name) == value for name, value in given.items()]


_SUMS = (
    func.count(UsageRecord.id),
    func.coalesce(func.sum(UsageRecord.gpu_hours_hundredths), 0),
    func.coalesce(func.sum(UsageRecord.cost_fen), 0),
    func.coalesce(func.sum(UsageRecord.subsidy_fen), 0),
)


def totals_of(row: Sequence[Any]) -> Totals:
    return Totals(*(int(value or 0) for value in row))


def sums(where: Sequence[ColumnElement[bool]], *by: Any) -> list[tuple[Any, ...]]:
    """The records' count, GPU-hours, cost and subsidy under `where`, grouped by the columns
    `by` (none: one row), in one SQL statement: each row is the `by` values then a Totals.
    The settlements' drafts, the explorer and the monthly report read usage through it."""
    stmt = select(*by, *_SUMS).where(*where)
    if by:
        stmt = stmt.group_by(*by).order_by(*by)
    return [
        (*row[: len(by)], totals_of(row[len(by) :])) for row in db.session.execute(stmt).tuples()
    ]


def totals(where: Sequence[ColumnElement[bool]]) -> Totals:
    """The records' sums over `where` (an empty filter sums to zeros)."""
    return sums(where)[0][-1]


def _month_sums(model: Any) -> tuple[Any, ...]:
    return (
        func.coalesce(func.sum(model.records), 0),
        func.coalesce(func.sum(model.gpu_hours_hundredths), 0),
        func.coalesce(func.sum(model.cost_fen), 0),
        func.coalesce(func.sum(model.subsidy_fen), 0),
    )


def month_sums(
    where: Sequence[ColumnElement[bool]], *by: Any, model: Any = UsageMonth
) -> list[tuple[Any, ...]]:
    """As `sums`, from a table of the monthly rollup (UsageMonth, or UsageTeamMonth when
    neither the provider nor the GPU type matters): `where` and `by` on its columns."""
    stmt = select(*by, *_month_sums(model)).where(*where)
    if by:
        stmt = stmt.group_by(*by).order_by(*by)
    return [
        (*row[: len(by)], totals_of(row[len(by) :])) for row in db.session.execute(stmt).tuples()
    ]


# The explorer's statements are built once per process for each set of filters given, and
# run with the filters' values as parameters (as opc.space.occupancy's): building them
# cost SQLAlchemy more than the database takes to answer them. Statements are immutable.
@functools.cache
def rollup_statement(
    model: Any, equal: tuple[str, ...], months: bool, by: tuple[str, ...]
) -> Select[Any]:
    where = [getattr(model, name) == bindparam(name) for name in equal]
    if months:
        where += [model.month >= bindparam("first"), model.month <= bindparam("last")]
    columns = [getattr(model, name) for name in by]
    stmt = select(*columns, *_month_sums(model)).where(*where)
    return stmt.group_by(*columns).order_by(*columns) if by else stmt


def filter_totals(flt: UsageFilter, *visibility: ColumnElement[bool]) -> Totals:
    """The sums of the records under the filter (and `visibility`, on UsageMonth), from the
    rollup: the explorer's totals and the pages' number of records, GET /usage's total."""
    if visibility:
        return month_sums([*flt.where(model=UsageMonth), *visibility])[0][-1]
    given = flt.values()
    stmt = rollup_statement(UsageMonth, tuple(given), False, ())
    return totals_of(db.session.execute(stmt, given).one())


def team_month_subsidies(
    park_id: int, first: str, last: str, *, provider_id: int | None = None
) -> list[tuple[int, str, Totals]]:
    """Per team and month of the park from `first` to `last`: records, GPU-hours, cost,
    subsidy (and so the team's share), in one GROUP BY of the rollup, by team then month.
    The monthly subsidy report's compute part."""
    m = UsageTeamMonth if provider_id is None else UsageMonth
    where = [m.park_id == park_id, m.month >= first, m.month <= last]
    if provider_id is not None:
        where.append(UsageMonth.provider_id == provider_id)
    return [
        (int(team_id), month, found)
        for team_id, month, found in month_sums(where, m.team_id, m.month, model=m)
    ]


# --- the chart by month --------------------------------------------------------------------


def by_month(flt: UsageFilter, months: list[str]) -> dict[str, Totals]:
    """Sums per month of `months` (consecutive, oldest first) for the filter's park, team and
    provider, of every GPU type (as the explorer's page says under its chart): one
    statement over the rollup's rows of those months, per team unless a provider is given."""
    m = UsageTeamMonth if flt.provider_id is None else UsageMonth
    given = flt.values(with_gpu_type=False)
    given.pop("month", None)
    stmt = rollup_statement(m, tuple(given), True, ("month",))
    rows = db.session.execute(stmt, {**given, "first": months[0], "last": months[-1]})
    found = {month: totals_of(row) for month, *row in rows.tuples()}
    return {month: found.get(month, Totals()) for month in months}


def not_settled(
    *, park_ids: list[int] | None = None, provider_id: int | None = None, team_id: int | None = None
) -> list[ColumnElement[bool]]:
    """The records not settled yet (of these parks, this provider, this team). Without a
    team they are found through the settlement_id index (the open months': few beside a
    year of records), so the park and the provider are compared as `id + 0`, which no index
    answers: else SQLite walks a year of the park's or the provider's records for them."""
    where = [UsageRecord.settlement_id.is_(None)]
    if team_id is not None:
        where.append(UsageRecord.team_id == team_id)
    if park_ids is not None:
        where.append((UsageRecord.park_id + 0).in_(park_ids))
    if provider_id is not None:
        where.append(UsageRecord.provider_id + 0 == provider_id)
    return where


# --- a page of records ---------------------------------------------------------------------


class _Known(Pagination):
    """A page whose total is known already (the rollup counted the records)."""

    def _query_items(self) -> list[Any]:
        args = self._query_args
        offset = (self.page - 1) * self.per_page
        return page_of(args["filter"], self.per_page, offset, args.get("sort"))

    def _query_count(self) -> int:
        return int(self._query_args["total"])


# What a page of records shows (not the batch, the park, the end or the month).
PAGE_COLUMNS = (
    "id", "external_id", "team_id", "provider_id", "gpu_type", "started_at",
    "gpu_hours_hundredths", "cost_fen", "subsidy_fen", "settlement_id",
)  # fmt: skip


@functools.cache
def _page_statement(equal: tuple[str, ...], key: str | None, descending: bool) -> Select[Any]:
    c = UsageRecord.__table__.c
    order = [c.id.desc()] if key is None else Sort(RECORDS, key, descending).order_by()
    ids = (
        select(c.id)
        .where(*(c[name] == bindparam(name) for name in equal))
        .order_by(*order)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    shown = [c[name] for name in PAGE_COLUMNS]
    return select(*shown).where(c.id.in_(ids.scalar_subquery())).order_by(*order)


def page_of(flt: UsageFilter, limit: int, offset: int, sort: Sort | None = None) -> list[Any]:
    """The records under the filter, newest first (by id: the order they arrived) unless
    the reader chose an order: the page's ids first, then the columns it shows (rows, not
    ORM objects: a page only shows them), in one statement."""
    given = flt.values()
    chosen = (sort.key, sort.descending) if sort else (None, True)
    stmt = _page_statement(tuple(given), *chosen)
    return list(db.session.execute(stmt, {**given, "limit": limit, "offset": offset}))


def paginate_records(
    flt: UsageFilter, total: int, page: int, per_page: int, sort: Sort | None = None
) -> Pagination:
    """The page `page` of the records under the filter (past the last: the last), given
    their number, in the reader's order if any."""
    last = max(1, math.ceil(total / per_page))
    return _Known(
        page=min(max(page, 1), last),
        per_page=per_page,
        max_per_page=per_page,
        error_out=False,
        filter=flt,
        total=total,
        sort=sort,
    )
