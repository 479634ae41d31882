"""Read models of programmes and vouchers for the pages and the API: a programme's pool
(granted against budget, drawn against granted), its teams and subsidy by month; a team's
vouchers with their balance, alerts and forecast.

A forecast reads the burn of the last BURN_DAYS park-local days (today included): the
subsidy drawn by the usage records that *started* in them, whenever they arrived.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from opc.compute.models import Programme, Provider, Voucher, VoucherAlert
from opc.compute.voucher_days import VoucherDay
from opc.compute.voucher_facts import voucher_facts
from opc.core.dates import MAX_DATE
from opc.core.permissions import visible
from opc.core.sorting import Sort
from opc.extensions import db
from opc.parks.models import Park
from opc.teams.models import Team, TeamStatus

BURN_DAYS = 30
# Who may hold a voucher: teams admitted (about to move in) or resident.
ELIGIBLE_STATUSES = (TeamStatus.ADMITTED, TeamStatus.RESIDENT)


# --- sums the grant rules read (opc.compute.operations.vouchers) -------------------------


def granted_fen(
    session: Session, programme_id: int, *, team_id: int | None = None, year: int | None = None
) -> int:
    """What the programme has granted (to one team, in one calendar year of `valid_from`)."""
    stmt = select(func.coalesce(func.sum(Voucher.amount_fen), 0)).where(
        Voucher.programme_id == programme_id
    )
    if team_id is not None:
        stmt = stmt.where(Voucher.team_id == team_id)
    if year is not None:
        stmt = stmt.where(
            Voucher.valid_from >= date(year, 1, 1), Voucher.valid_from <= date(year, 12, 31)
        )
    return int(session.scalar(stmt) or 0)


# --- programmes --------------------------------------------------------------------------


@dataclass(frozen=True)
class Pool:
    """A programme's pool: granted of budget, drawn of granted, teams and vouchers."""

    budget_fen: int
    granted_fen: int = 0
    used_fen: int = 0
    vouchers: int = 0
    teams: int = 0

    @property
    def left_fen(self) -> int:
        """What may still be granted."""
        return self.budget_fen - self.granted_fen

    @property
    def undrawn_fen(self) -> int:
        """Granted but not drawn yet."""
        return self.granted_fen - self.used_fen


def programmes_of(user: Any, park_id: int | None = None, sort: Sort | None = None) -> Select[Any]:
    """The programmes the user may see (of one park), providers loaded: in the reader's
    order (opc.compute.sortings), else by park and code."""
    stmt = (
        select(Programme).where(visible(user, Programme)).options(selectinload(Programme.providers))
    )
    if park_id is not None:
        stmt = stmt.where(Programme.park_id == park_id)
    if sort is not None:
        return stmt.order_by(*sort.order_by())
    return stmt.order_by(Programme.park_id, Programme.code)


def pools(programmes: list[Programme]) -> dict[int, Pool]:
    """Each programme's pool, in one statement."""
    if not programmes:
        return {}
    stmt = (
        select(
            Voucher.programme_id,
            func.sum(Voucher.amount_fen),
            func.sum(Voucher.used_fen),
            func.count(Voucher.id),
            func.count(distinct(Voucher.team_id)),
        )
        .where(Voucher.programme_id.in_([p.id for p in programmes]))
        .group_by(Voucher.programme_id)
    )
    found = {row[0]: row[1:] for row in db.session.execute(stmt).tuples()}
    pools_by_id = {}
    for p in programmes:
        granted, used, vouchers, teams = found.get(p.id, (0, 0, 0, 0))
        pools_by_id[p.id] = Pool(p.budget_fen, int(granted), int(used), vouchers, teams)
    return pools_by_id


@dataclass(frozen=True)
class TeamGrant:
    team: Team
    vouchers: int
    granted_fen: int
    used_fen: int

    @property
    def remaining_fen(self) -> int:
        return self.granted_fen - self.used_fen


def programme_teams(programme_id: int) -> list[TeamGrant]:
    """The teams holding vouchers under the programme, most granted first."""
    stmt = (
        select(
            Team,
            func.count(Voucher.id),
            func.sum(Voucher.amount_fen),
            func.sum(Voucher.used_fen),
        )
        .join(Voucher, Voucher.team_id == Team.id)
        .where(Voucher.programme_id == programme_id)
        .group_by(Team.id)
        .order_by(func.sum(Voucher.amount_fen).desc(), Team.id)
    )
    return [
        TeamGrant(team, n, int(granted), int(used))
        for team, n, granted, used in db.session.execute(stmt).tuples()
    ]


@dataclass(frozen=True)
class MonthBar:
    month: str
    subsidy_fen: int
    cumulative_fen: int


def subsidy_by_month(programme: Programme) -> list[MonthBar]:
    """The subsidy the programme's vouchers paid, by the month of the usage (park-local
    month of each record's start), with the running total to set against the budget:
    summed by day from the vouchers' days (a row per voucher and day, not per record),
    then by month here."""
    stmt = (
        select(VoucherDay.day, func.sum(VoucherDay.subsidy_fen))
        .join(Voucher, Voucher.id == VoucherDay.voucher_id)
        .where(Voucher.programme_id == programme.id)
        .group_by(VoucherDay.day)
    )
    months: dict[str, int] = defaultdict(int)
    for day, fen in db.session.execute(stmt).tuples():
        months[f"{day.year:04d}-{day.month:02d}"] += int(fen)
    bars, running = [], 0
    for month in sorted(months):
        running += months[month]
        bars.append(MonthBar(month, months[month], running))
    return bars


def park_programmes(park_id: int) -> list[Programme]:
    """The park's programmes by code (the choices of a voucher), providers loaded."""
    stmt = (
        select(Programme)
        .where(Programme.park_id == park_id)
        .options(selectinload(Programme.providers))
        .order_by(Programme.code)
    )
    return list(db.session.scalars(stmt))


def eligible_teams(park_id: int) -> list[Team]:
    """The park's teams that may hold a voucher, by name (the choices of a grant)."""
    stmt = (
        select(Team)
        .where(Team.park_id == park_id, Team.status.in_(ELIGIBLE_STATUSES))
        .order_by(Team.name_pinyin, Team.id)
    )
    return list(db.session.scalars(stmt))


def teams_with_vouchers(park_id: int) -> list[Team]:
    """The park's teams that hold or held a voucher, by name (a filter's choices)."""
    holders = select(Voucher.team_id).join(Programme).where(Programme.park_id == park_id)
    stmt = select(Team).where(Team.id.in_(holders)).order_by(Team.name_pinyin, Team.id)
    return list(db.session.scalars(stmt))


def providers() -> list[Provider]:
    """Every provider by name (the choices of a programme)."""
    return list(db.session.scalars(select(Provider).order_by(Provider.name, Provider.id)))


def parks_for(user: Any) -> list[Park]:
    """The parks the user may see, in order."""
    return list(db.session.scalars(select(Park).where(visible(user, Park)).order_by(Park.id)))


# --- vouchers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class VoucherFilters:
    park_id: int | None = None
    team_id: int | None = None
    programme_id: int | None = None
    valid_on: date | None = None  # only those valid that day


def vouchers_of(user: Any, filters: VoucherFilters, sort: Sort | None = None) -> Select[Any]:
    """The vouchers the user may see, narrowed; in the reader's order, else newest first;
    team, programme and providers loaded."""
    stmt = (
        select(Voucher)
        .where(visible(user, Voucher))
        .options(
            joinedload(Voucher.team),
            joinedload(Voucher.programme),
            selectinload(Voucher.providers),
        )
    )
    if filters.park_id is not None:
        in_park = select(Programme.id).where(Programme.park_id == filters.park_id)
        stmt = stmt.where(Voucher.programme_id.in_(in_park))
    if filters.team_id is not None:
        stmt = stmt.where(Voucher.team_id == filters.team_id)
    if filters.programme_id is not None:
        stmt = stmt.where(Voucher.programme_id == filters.programme_id)
    if filters.valid_on is not None:
        stmt = stmt.where(
            Voucher.valid_from <= filters.valid_on, Voucher.valid_to >= filters.valid_on
        )
    return stmt.order_by(*sort.order_by()) if sort else stmt.order_by(Voucher.id.desc())


def team_vouchers(team_id: int) -> list[Voucher]:
    """A team's vouchers with their programme, those expiring last first (the current ones
    on top). Their providers are not loaded: voucher_views reads them with the rest."""
    stmt = (
        select(Voucher)
        .where(Voucher.team_id == team_id)
        .options(joinedload(Voucher.programme))
        .order_by(Voucher.valid_to.desc(), Voucher.id.desc())
    )
    return list(db.session.scalars(stmt))


def alerts_of(voucher_ids: list[int]) -> dict[int, list[VoucherAlert]]:
    """The alerts sent about each voucher, in the order they were sent."""
    found: dict[int, list[VoucherAlert]] = defaultdict(list)
    if voucher_ids:
        stmt = (
            select(VoucherAlert)
            .where(VoucherAlert.voucher_id.in_(voucher_ids))
            .order_by(VoucherAlert.sent_at, VoucherAlert.id)
        )
        for alert in db.session.scalars(stmt):
            found[alert.voucher_id].append(alert)
    return found


def redeemable_at(voucher: Voucher) -> list[Provider]:
    """Where a voucher is redeemable: its own providers, else all of its programme's."""
    return list(voucher.providers) or list(voucher.programme.providers)


# --- burn and forecast -------------------------------------------------------------------


def burn_since(today: date, tz: str, days: int = BURN_DAYS) -> datetime:
    """The UTC instant the last `days` park-local days (today included) began."""
    first = today - timedelta(days=days - 1)
    return datetime.combine(first, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def burned(team_id: int, since: datetime, tz: str, voucher_id: int | None = None) -> dict[int, int]:
    """What each of the team's vouchers (or one) paid for its records started since `since`,
    the start of a park-local day (burn_since): summed from the vouchers' days
    (opc.compute.voucher_days), a row per voucher and day."""
    first_day = since.astimezone(ZoneInfo(tz)).date()
    stmt = (
        select(VoucherDay.voucher_id, func.sum(VoucherDay.subsidy_fen))
        .join(Voucher, Voucher.id == VoucherDay.voucher_id)
        .where(Voucher.team_id == team_id, VoucherDay.day >= first_day)
        .group_by(VoucherDay.voucher_id)
    )
    if voucher_id is not None:
        stmt = stmt.where(VoucherDay.voucher_id == voucher_id)
    return {vid: int(fen) for vid, fen in db.session.execute(stmt).tuples()}


@dataclass(frozen=True)
class Forecast:
    """When a voucher runs out at its recent burn rate. `runs_out_on` None: no burn (or
    nothing left, or expired); `before_expiry` False: it outlasts its validity, with
    `left_at_expiry_fen` unused."""

    per_day_fen: int = 0
    runs_out_on: date | None = None
    before_expiry: bool | None = None
    left_at_expiry_fen: int | None = None


def _half_up(numerator: int, denominator: int) -> int:
    return int((Decimal(numerator) / denominator).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def forecast(
    remaining_fen: int, burned_fen: int, today: date, valid_to: date, days: int = BURN_DAYS
) -> Forecast:
    """At the rate of `burned_fen` per `days` days, from tomorrow on: the day the remaining
    amount is used up (the first day whose burn reaches it), and whether that is before
    the voucher's last valid day. Pure: the numbers in, the forecast out."""
    if remaining_fen <= 0 or burned_fen <= 0 or today > valid_to:
        return Forecast()
    per_day = _half_up(burned_fen, days)
    days_needed = -(-remaining_fen * days // burned_fen)  # ceiling, exact in integers
    runs_out_on = None
    if days_needed <= (MAX_DATE - today).days:
        runs_out_on = today + timedelta(days=days_needed)
    before = runs_out_on is not None and runs_out_on <= valid_to
    left = None
    if not before:
        left = remaining_fen - (burned_fen * (valid_to - today).days) // days
    return Forecast(per_day, runs_out_on, before, left)


@dataclass(frozen=True)
class VoucherView:
    voucher: Voucher
    alerts: Sequence[Any]  # VoucherAlert, or voucher_facts.Alert: kind and sent_at
    forecast: Forecast
    redeemable_at: Sequence[Any]  # Provider, or voucher_facts.Redeemable: id and name

    @property
    def percent_used(self) -> int:
        return self.voucher.used_fen * 100 // self.voucher.amount_fen


def voucher_views(team: Team, today: date) -> list[VoucherView]:
    """A team's vouchers with alerts, providers and forecast: two statements however many
    it has (the vouchers with their programme, then opc.compute.voucher_facts)."""
    vouchers = team_vouchers(team.id)
    if not vouchers:
        return []
    facts = voucher_facts(team.id, today - timedelta(days=BURN_DAYS - 1))  # as burn_since
    return [
        VoucherView(
            v,
            facts.alerts.get(v.id, []),
            forecast(v.remaining_fen, facts.burned.get(v.id, 0), today, v.valid_to),
            facts.providers.get(v.id, []),
        )
        for v in vouchers
    ]


def voucher_view(voucher: Voucher, today: date) -> VoucherView:
    """One voucher with its alerts and forecast."""
    tz = voucher.team.park.timezone
    burn = burned(voucher.team_id, burn_since(today, tz), tz, voucher.id).get(voucher.id, 0)
    return VoucherView(
        voucher,
        alerts_of([voucher.id]).get(voucher.id, []),
        forecast(voucher.remaining_fen, burn, today, voucher.valid_to),
        redeemable_at(voucher),
    )


def state_of(voucher: Voucher, today: date) -> str:
    """upcoming, active, used_up or expired (opc.compute.labels names them)."""
    if today > voucher.valid_to:
        return "expired"
    if voucher.remaining_fen <= 0:
        return "used_up"
    return "upcoming" if today < voucher.valid_from else "active"
