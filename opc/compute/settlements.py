"""Read models of settlements: what a park owes a provider for a month, issued ones as
stored, the others as drafts computed now from the records (never stored).

A settlement of month M settles every record of the park and the provider not settled yet
whose month is M *or earlier*: the records of M make its lines per team, those of earlier
months (late arrivals, or months never issued on their own) lines per team and month with
`corrects_month`. So usage that arrives after its month was settled is paid on the next
settlement, and an issued one never changes. Once a month is issued, no earlier month of
the same park and provider is (its records went, or go, on a later settlement): a draft
is offered only for months after the last one issued.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import selectinload

from opc.compute.models import Provider, UsageRecord
from opc.compute.settlement_models import Settlement
from opc.compute.usage_queries import Totals, not_settled, sums
from opc.core.permissions import visible
from opc.extensions import db
from opc.teams.models import Team


@dataclass(frozen=True)
class LineView:
    team_id: int
    corrects_month: str | None
    totals: Totals


@dataclass
class SettlementView:
    """An issued settlement or a draft, alike for pages, downloads and the API (a draft has
    no id)."""

    id: int | None
    park_id: int
    provider_id: int
    month: str
    status: str  # "draft" or "issued"
    totals: Totals
    lines: list[LineView] = field(default_factory=list)
    issued_at: datetime | None = None


def issued_view(settlement: Settlement) -> SettlementView:
    return SettlementView(
        settlement.id,
        settlement.park_id,
        settlement.provider_id,
        settlement.month,
        "issued",
        Totals(
            settlement.records,
            settlement.gpu_hours_hundredths,
            settlement.cost_fen,
            settlement.subsidy_fen,
        ),
        [
            LineView(
                line.team_id,
                line.corrects_month,
                Totals(line.records, line.gpu_hours_hundredths, line.cost_fen, line.subsidy_fen),
            )
            for line in settlement.lines
        ],
        settlement.issued_at,
    )


def unsettled_until(
    month: str, *, park_ids: list[int] | None = None, provider_id: int | None = None
) -> list[ColumnElement[bool]]:
    """The records a settlement of `month` would settle: not settled yet, of `month` or
    before (of these parks, of this provider)."""
    return [*not_settled(park_ids=park_ids, provider_id=provider_id), UsageRecord.month <= month]


def _draft(park_id: int, provider_id: int, month: str, rows: list[Any]) -> SettlementView:
    """A draft from its (team, month, totals) sums: the month's lines by team, then the
    earlier months' by month and team."""
    current = [LineView(t, None, found) for t, m, found in rows if m == month]
    earlier = sorted((m, t, found) for t, m, found in rows if m != month)
    lines = current + [LineView(t, m, found) for m, t, found in earlier]
    total = sum((line.totals for line in lines), Totals())
    return SettlementView(None, park_id, provider_id, month, "draft", total, lines)


def drafts(
    month: str, *, park_ids: list[int] | None = None, provider_id: int | None = None
) -> dict[tuple[int, int], SettlementView]:
    """The drafts of `month` by (park, provider), from one GROUP BY of the unsettled
    records; whether a pair may still settle `month` is `month_views`' to say."""
    r = UsageRecord
    found: dict[tuple[int, int], list[Any]] = defaultdict(list)
    where = unsettled_until(month, park_ids=park_ids, provider_id=provider_id)
    for park_id, prov_id, team_id, record_month, sums_ in sums(
        where, r.park_id, r.provider_id, r.team_id, r.month
    ):
        found[(park_id, prov_id)].append((team_id, record_month, sums_))
    return {pair: _draft(*pair, month, rows) for pair, rows in found.items()}


def draft_of(park_id: int, provider_id: int, month: str) -> SettlementView | None:
    """The draft of one park, provider and month (None: nothing to settle)."""
    return drafts(month, park_ids=[park_id], provider_id=provider_id).get((park_id, provider_id))


def last_issued(
    *, park_ids: list[int] | None = None, provider_id: int | None = None
) -> dict[tuple[int, int], str]:
    """The last month issued per (park, provider)."""
    stmt = select(Settlement.park_id, Settlement.provider_id, func.max(Settlement.month))
    if park_ids is not None:
        stmt = stmt.where(Settlement.park_id.in_(park_ids))
    if provider_id is not None:
        stmt = stmt.where(Settlement.provider_id == provider_id)
    stmt = stmt.group_by(Settlement.park_id, Settlement.provider_id)
    return {(p, v): m for p, v, m in db.session.execute(stmt).tuples()}


def month_views(
    month: str, *, park_ids: list[int] | None = None, provider_id: int | None = None
) -> list[SettlementView]:
    """The settlements of `month`: issued ones as stored, and a draft for each pair with
    records to settle and no settlement of `month` or later; by park, then provider."""
    stmt = (
        select(Settlement).where(Settlement.month == month).options(selectinload(Settlement.lines))
    )
    if park_ids is not None:
        stmt = stmt.where(Settlement.park_id.in_(park_ids))
    if provider_id is not None:
        stmt = stmt.where(Settlement.provider_id == provider_id)
    views = {(s.park_id, s.provider_id): issued_view(s) for s in db.session.scalars(stmt)}
    latest = last_issued(park_ids=park_ids, provider_id=provider_id)
    for pair, draft in drafts(month, park_ids=park_ids, provider_id=provider_id).items():
        if pair not in views and latest.get(pair, "") < month:
            views[pair] = draft
    return [views[pair] for pair in sorted(views)]


def issued_of(
    user: Any, *, park_id: int | None = None, provider_id: int | None = None
) -> Select[Any]:
    """The issued settlements the user may see, newest month first, lines loaded."""
    stmt = select(Settlement).where(visible(user, Settlement))
    if park_id is not None:
        stmt = stmt.where(Settlement.park_id == park_id)
    if provider_id is not None:
        stmt = stmt.where(Settlement.provider_id == provider_id)
    stmt = stmt.options(selectinload(Settlement.lines))
    return stmt.order_by(Settlement.month.desc(), Settlement.park_id, Settlement.provider_id)


@dataclass(frozen=True)
class OpenMonth:
    """A month with records of a provider not settled yet, and whether a draft of it may be
    issued (it is after the last month issued)."""

    month: str
    totals: Totals
    issuable: bool


def open_months(park_id: int, provider_id: int) -> list[OpenMonth]:
    """The months with unsettled records of the park and provider, newest first."""
    latest = last_issued(park_ids=[park_id], provider_id=provider_id).get(
        (park_id, provider_id), ""
    )
    found = sums(not_settled(park_ids=[park_id], provider_id=provider_id), UsageRecord.month)
    return [OpenMonth(month, totals, month > latest) for month, totals in reversed(found)]


@dataclass(frozen=True)
class ProviderSummary:
    provider: Provider
    last_issued: str | None
    unsettled: Totals


def providers_of_park(park_id: int) -> list[ProviderSummary]:
    """The providers that reported usage for the park or settled with it: the last month
    issued and what is not settled yet, by name."""
    latest = {v: m for (_p, v), m in last_issued(park_ids=[park_id]).items()}
    unsettled = dict(sums(not_settled(park_ids=[park_id]), UsageRecord.provider_id))
    ids = set(latest) | set(unsettled)
    stmt = select(Provider).where(Provider.id.in_(ids)).order_by(Provider.name, Provider.id)
    return [
        ProviderSummary(p, latest.get(p.id), unsettled.get(p.id, Totals()))
        for p in db.session.scalars(stmt)
    ]


def teams_named(views: list[SettlementView]) -> dict[int, Team]:
    """The teams of the views' lines, by id (their names for a table or a download)."""
    ids = {line.team_id for view in views for line in view.lines}
    if not ids:
        return {}
    return {t.id: t for t in db.session.scalars(select(Team).where(Team.id.in_(ids)))}
