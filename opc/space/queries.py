"""Read models for the space pages and the API: unit lists, holders, occupancy, timelines.

Every function here runs a fixed number of SQL statements, however many units and
allocations a park has: sums and counts are SQL aggregates, related rows are joined.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, false, select
from sqlalchemy.orm import contains_eager, joinedload

from opc.core.dates import end_after, local_today
from opc.core.errors import NotFound
from opc.core.permissions import can, get_or_404, require, visible
from opc.core.sorting import Sort, Sorting
from opc.core.values import is_id
from opc.extensions import db
from opc.parks.models import Park
from opc.space.models import Allocation, Unit
from opc.space.permissions import can_see_space
from opc.teams.models import Team, TeamStatus

# An allocation "ends soon" when its end falls within this many days of the day shown.
ENDING_SOON_DAYS = 30


def space_of(user: Any, park_id: int, action: str = "space.view") -> Park:
    """The park whose space the user may see, else NotFound; Forbidden without `action`."""
    park = get_or_404(Park, park_id, user)
    if not can_see_space(user, park):
        raise NotFound("not_found", _("Not found."))
    require(can(user, action, park))
    return park


def parks_with_space(user: Any) -> list[Park]:
    """The parks whose space the user may see, in order."""
    stmt = select(Park).where(visible(user, Park)).order_by(Park.id)
    return [p for p in db.session.scalars(stmt) if can_see_space(user, p)]


def units_in(park_id: int) -> list[Unit]:
    """A park's units by code (the choices of a move)."""
    return list(db.session.scalars(select(Unit).where(Unit.park_id == park_id).order_by(Unit.code)))


def allocations_of(team: Team) -> list[Allocation]:
    """The team's current and past allocations, newest first, units loaded."""
    return list(
        db.session.scalars(
            select(Allocation)
            .where(Allocation.team_id == team.id)
            .options(joinedload(Allocation.unit))
            .order_by(Allocation.start.desc(), Allocation.id.desc())
        )
    )


def today(park: Park) -> date:
    """The park's today, in its own zone."""
    return local_today(park.timezone)


def bucket(part: Decimal | int, whole: Decimal | int) -> int:
    """Occupancy in five buckets for CSS classes occ-0 … occ-4 (0 %, <50, <75, <100, 100 %)."""
    if not whole or not part:
        return 0
    share = Decimal(part) / Decimal(whole)
    if share >= 1:
        return 4
    return 3 if share >= Decimal("0.75") else 2 if share >= Decimal("0.5") else 1


# --- units -----------------------------------------------------------------------------


@dataclass
class UnitFilters:
    floor: int | None = None
    kind: str | None = None

    @property
    def active(self) -> bool:
        return self.floor is not None or bool(self.kind)


UNIT_SORTING = Sorting(
    {
        "code": Unit.code,
        "kind": (Unit.kind, Unit.code),
        "floor": (Unit.floor, Unit.code),
        "area": Unit.area_m2,
        "seats": Unit.seats,
        "rent": Unit.rent_fen_per_m2,
    },
    default="floor",
    tiebreak=Unit.id,
    first_desc=frozenset({"area", "seats", "rent"}),
)


def units_of(
    user: Any, park_id: int, filters: UnitFilters | None = None, sort: Sort | None = None
) -> Select[Any]:
    """The park's units the user may see, in the reader's order (without one, as the API
    lists them: by floor and code)."""
    stmt = select(Unit).where(Unit.park_id == park_id, visible(user, Unit))
    if filters and filters.floor is not None:
        stmt = stmt.where(Unit.floor == filters.floor)
    if filters and filters.kind:
        stmt = stmt.where(Unit.kind == filters.kind)
    return stmt.order_by(*(sort or UNIT_SORTING.chosen({})).order_by())


def floors(park_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(Unit.floor).where(Unit.park_id == park_id).distinct().order_by(Unit.floor)
        )
    )


def holders(units: list[Unit], day: date) -> dict[int, Allocation]:
    """For each of these units, the allocation that holds it on `day` (team loaded): one query."""
    ids = [u.id for u in units]
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Allocation)
        .join(Team, Team.id == Allocation.team_id)
        .options(contains_eager(Allocation.team))
        .where(Allocation.unit_id.in_(ids), Allocation.holds_on(day))
    )
    return {a.unit_id: a for a in rows}


def free_units(park_id: int, start: date, end: date | None = None) -> list[Unit]:
    """Units of the park with no allocation sharing a day with [start, end)."""
    clash = select(Allocation.id).where(
        Allocation.unit_id == Unit.id, Allocation.shares_days(start, end)
    )
    return list(
        db.session.scalars(
            select(Unit)
            .where(Unit.park_id == park_id, ~clash.exists())
            .order_by(Unit.floor, Unit.code)
        )
    )


@dataclass
class UnitSearch:
    """Units a team could take: on a floor, of a kind, with at least an area (m²) and a
    number of seats, free from `free_from` through `last_day` (inclusive; None: from then on).
    None is no filter."""

    floor: int | None = None
    kind: str | None = None
    min_area: int | None = None
    min_seats: int | None = None
    free_from: date | None = None
    last_day: date | None = None

    @property
    def end(self) -> date | None:
        """The exclusive end of the period asked for."""
        return end_after(self.last_day)

    @property
    def active(self) -> bool:
        return any(v is not None for v in vars(self).values())


def fitting(park_id: int, search: UnitSearch) -> Select[tuple[Unit]]:
    """The park's units that meet the search, by floor and code: one statement (free means
    no allocation shares a day with the period; a period that ends before it starts, none)."""
    stmt = select(Unit).where(Unit.park_id == park_id)
    if search.floor is not None:
        stmt = stmt.where(Unit.floor == search.floor)
    if search.kind:
        stmt = stmt.where(Unit.kind == search.kind)
    if search.min_area is not None:
        stmt = stmt.where(Unit.area_m2 >= search.min_area)
    if search.min_seats is not None:
        stmt = stmt.where(Unit.seats >= search.min_seats)
    if search.free_from is not None:
        end = search.end
        if end is not None and end <= search.free_from:
            return stmt.where(false())
        clash = select(Allocation.id).where(
            Allocation.unit_id == Unit.id, Allocation.shares_days(search.free_from, end)
        )
        stmt = stmt.where(~clash.exists())
    return stmt.order_by(Unit.floor, Unit.code, Unit.id)


def fitting_units(park_id: int, search: UnitSearch, limit: int) -> list[Unit]:
    """The first `limit` units that meet the search, by floor and code."""
    return list(db.session.scalars(fitting(park_id, search).limit(limit)))


def unit_in(park_id: int, unit_id: Any) -> Unit | None:
    """The park's unit of that id (a posted value: None when it is no id or elsewhere)."""
    if not is_id(unit_id):
        return None
    return db.session.scalar(select(Unit).where(Unit.id == unit_id, Unit.park_id == park_id))


def fitting_ids(park_id: int, search: UnitSearch) -> set[int]:
    """The ids of the units that meet the search (the floor view's filter)."""
    ids = fitting(park_id, search).with_only_columns(Unit.id)
    return set(db.session.scalars(ids))


def resident_teams(park_id: int) -> list[Team]:
    return list(
        db.session.scalars(
            select(Team)
            .where(Team.park_id == park_id, Team.status == TeamStatus.RESIDENT)
            .order_by(Team.name_zh)
        )
    )


# --- allocations -----------------------------------------------------------------------


@dataclass
class AllocationFilters:
    park_id: int | None = None
    team_id: int | None = None
    unit_id: int | None = None
    active_on: date | None = None


def allocations_for(user: Any, filters: AllocationFilters) -> Select[Any]:
    """The allocations the user may see, narrowed by the filters, newest first."""
    stmt = select(Allocation).where(visible(user, Allocation))
    if filters.park_id is not None:
        stmt = stmt.where(
            Allocation.unit_id.in_(select(Unit.id).where(Unit.park_id == filters.park_id))
        )
    if filters.team_id is not None:
        stmt = stmt.where(Allocation.team_id == filters.team_id)
    if filters.unit_id is not None:
        stmt = stmt.where(Allocation.unit_id == filters.unit_id)
    if filters.active_on is not None:
        stmt = stmt.where(Allocation.holds_on(filters.active_on))
    return stmt.order_by(Allocation.start.desc(), Allocation.id.desc())


def unit_history(unit: Unit) -> list[Allocation]:
    """Every allocation of the unit, oldest first, teams loaded."""
    return list(
        db.session.scalars(
            select(Allocation)
            .where(Allocation.unit_id == unit.id)
            .options(joinedload(Allocation.team))
            .order_by(Allocation.start, Allocation.id)
        )
    )


@dataclass
class Bar:
    """One allocation on a timeline, as percentages of the timeline's width."""

    allocation: Allocation
    x: float
    width: float
    current: bool


@dataclass
class Timeline:
    start: date
    end: date
    bars: list[Bar]
    today_x: float | None


def timeline(history: list[Allocation], day: date) -> Timeline | None:
    """Bars for the allocations, on a scale from the first start to the last end (or later)."""
    if not history:
        return None
    first = min(a.start for a in history)
    last = max([a.end or day + timedelta(days=90) for a in history] + [day + timedelta(days=30)])
    span = max((last - first).days, 1)

    def pos(d: date) -> float:
        return round(max(0, min(span, (d - first).days)) * 100 / span, 2)

    bars = [
        Bar(a, pos(a.start), max(round(pos(a.end or last) - pos(a.start), 2), 0.5), a.holds_on(day))
        for a in history
    ]
    today_x = pos(day) if first <= day <= last else None
    return Timeline(first, last, bars, today_x)
