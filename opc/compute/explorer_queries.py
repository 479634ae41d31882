"""The usage explorer's read, but for its page of records, in one statement.

A page of the explorer shows the chart of twelve months (as usage_queries.by_month), the
totals of the month shown (the chart's month; with a GPU type, as usage_queries.
filter_totals) and the teams and providers to filter by: a few rows each whatever the
records hold (12 months, 100 teams, the providers). Read as one UNION ALL they cost one round
trip instead of three or four: on PostgreSQL each round trip cost the app more CPU than the
database takes to answer these.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    Select,
    String,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    union_all,
)

from opc.compute.models import Provider
from opc.compute.usage_months import UsageMonth, UsageTeamMonth
from opc.compute.usage_queries import Totals, UsageFilter, months_to, rollup_statement, totals_of
from opc.extensions import db
from opc.teams.models import Team

CHART, TOTALS, TEAM, PROVIDER = range(4)  # the kinds of row, in the order they come


@dataclass(frozen=True)
class Facts:
    months: dict[str, Totals]  # the chart's, oldest first
    totals: Totals  # the month shown, under every filter
    teams: list[Any]  # rows with id, name_zh, name_en, by name (none on a team's page)
    providers: dict[int, str]  # by name


def _kind(kind: int) -> Any:
    return literal_column(str(kind), Integer).label("kind")


def _no_sums() -> list[Any]:
    return [cast(null(), BigInteger) for _ in range(4)]


def _sums(rollup: Select[Any], kind: int, key: Any) -> Select[Any]:
    """A rollup statement's rows (`key` then four sums) as rows of the union."""
    sub = rollup.subquery()
    sums = list(sub.c)[-4:]
    nothing = cast(null(), String)
    return select(
        _kind(kind),
        key(sub),
        cast(null(), Integer).label("id"),
        nothing.label("name_zh"),
        nothing.label("name_en"),
        *sums,
    )


@functools.cache
def _statement(chart: Any, equal: tuple[str, ...], gpu_type: bool, teams: bool) -> Any:
    """The union for a set of filters given (built once, run with their values)."""
    month = rollup_statement(chart, equal, True, ("month",))
    parts = [_sums(month, CHART, lambda sub: sub.c.month.label("sort_key"))]
    if gpu_type:
        shown = rollup_statement(UsageMonth, (*equal, "month", "gpu_type"), False, ())
        parts.append(_sums(shown, TOTALS, lambda _sub: cast(null(), String).label("sort_key")))
    if teams:
        parts.append(
            select(_kind(TEAM), Team.name_pinyin, Team.id, Team.name_zh, Team.name_en)
            .add_columns(*_no_sums())
            .where(Team.park_id == bindparam("park_id"))
        )
    nothing = cast(null(), String)
    parts.append(
        select(_kind(PROVIDER), Provider.name, Provider.id, Provider.name, nothing, *_no_sums())
    )
    return union_all(*parts).order_by(
        literal_column("kind"), literal_column("sort_key"), literal_column("id")
    )


def explorer_facts(flt: UsageFilter, chart_months: int, *, with_teams: bool) -> Facts:
    """The chart of the `chart_months` months to the filter's month (its park, team and
    provider, every GPU type: per team from UsageTeamMonth unless a provider is given), the
    month's totals under every filter, the park's teams (`with_teams`) and the providers."""
    assert flt.month is not None and flt.park_id is not None
    months = months_to(flt.month, chart_months)
    given = flt.values(with_gpu_type=False)
    given.pop("month")
    chart = UsageTeamMonth if flt.provider_id is None else UsageMonth
    stmt = _statement(chart, tuple(given), flt.gpu_type is not None, with_teams)
    values = {**given, "first": months[0], "last": months[-1], "month": flt.month}
    if flt.gpu_type is not None:
        values["gpu_type"] = flt.gpu_type
    found: dict[str, Totals] = {}
    totals, teams, providers = None, [], {}
    for row in db.session.execute(stmt, values):
        kind, key, id_, *names = row[:5]
        if kind == CHART:
            found[key] = totals_of(row[5:])
        elif kind == TOTALS:
            totals = totals_of(row[5:])
        elif kind == TEAM:
            teams.append(row)
        else:
            providers[id_] = names[0]
    by_month = {month: found.get(month, Totals()) for month in months}
    return Facts(by_month, by_month[flt.month] if totals is None else totals, teams, providers)
