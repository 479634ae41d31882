"""Read models of a park's occupancy on a day (by floor and track) and its floor view.

A fixed number of SQL statements per page, built once per process and run with
parameters (building a statement cost more than running it).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Select, and_, bindparam, case, distinct, func, select

from opc.core.sorting import Sorting
from opc.extensions import db
from opc.parks.models import Park
from opc.space.models import Allocation, Unit
from opc.space.queries import ENDING_SOON_DAYS, bucket
from opc.space.rules import area
from opc.teams.models import Team, TeamStatus, Track

# --- occupancy -------------------------------------------------------------------------


@dataclass
class FloorRow:
    floor: int
    units: int
    taken: int
    area_m2: Decimal
    allocated_m2: Decimal

    @property
    def free(self) -> int:
        return self.units - self.taken

    @property
    def free_m2(self) -> Decimal:
        return self.area_m2 - self.allocated_m2

    @property
    def pct(self) -> int:
        return int(self.allocated_m2 * 100 / self.area_m2) if self.area_m2 else 0

    @property
    def bucket(self) -> int:
        return bucket(self.allocated_m2, self.area_m2)


# The floors table's headings sort its rows (a park has a few floors: sorted in Python).
FLOOR_SORTING = Sorting(
    {
        "floor": lambda f: f.floor,
        "units": lambda f: f.units,
        "taken": lambda f: f.taken,
        "free": lambda f: f.free,
        "area": lambda f: f.area_m2,
        "allocated": lambda f: f.allocated_m2,
        "occupancy": lambda f: f.allocated_m2 / f.area_m2 if f.area_m2 else Decimal(0),
    },
    default="floor",
    tiebreak=lambda f: f.floor,
    first_desc=frozenset({"units", "taken", "free", "area", "allocated", "occupancy"}),
)


@dataclass
class TrackRow:
    track: str
    residents: int = 0
    teams_with_space: int = 0
    units: int = 0
    allocated_m2: Decimal = Decimal("0.00")


@dataclass
class Occupancy:
    park: Park
    on: date
    floors: list[FloorRow]
    tracks: list[TrackRow] = field(default_factory=list)

    @property
    def total_m2(self) -> Decimal:
        return area(self.park.total_area_m2)

    @property
    def unit_m2(self) -> Decimal:
        return sum((f.area_m2 for f in self.floors), Decimal("0.00"))

    @property
    def allocated_m2(self) -> Decimal:
        return sum((f.allocated_m2 for f in self.floors), Decimal("0.00"))

    @property
    def free_m2(self) -> Decimal:
        """Area in units that no team holds on the day."""
        return self.unit_m2 - self.allocated_m2

    @property
    def outside_units_m2(self) -> Decimal:
        """Park area not (yet) divided into units."""
        return self.total_m2 - self.unit_m2

    @property
    def units(self) -> int:
        return sum(f.units for f in self.floors)

    @property
    def units_taken(self) -> int:
        return sum(f.taken for f in self.floors)

    @property
    def units_free(self) -> int:
        return self.units - self.units_taken

    @property
    def residents(self) -> int:
        return sum(t.residents for t in self.tracks)

    @property
    def team_cap(self) -> int:
        return self.park.team_cap

    @property
    def pct(self) -> int:
        return int(self.allocated_m2 * 100 / self.total_m2) if self.total_m2 else 0

    @property
    def bucket(self) -> int:
        return bucket(self.allocated_m2, self.total_m2)

    @property
    def residents_bucket(self) -> int:
        return bucket(self.residents, self.team_cap)


# The occupancy and floor view statements are built once per process and run with the
# park and the day as parameters: building statements like these costs SQLAlchemy more
# (about 1 ms each) than the database takes to answer them. Statements are immutable.
def _park_and_day() -> tuple[Any, Any]:
    return bindparam("park_id"), bindparam("day", type_=Date)


@functools.cache
def _occupancy_statements() -> tuple[Select[Any], Select[Any], Select[Any]]:
    park_id, day = _park_and_day()
    held = Allocation.held_on(day)
    # At most one allocation holds a unit on a day (they never overlap), so the outer join
    # gives one row per unit.
    holding = select(held.c.unit_id).distinct().subquery()
    taken = holding.c.unit_id.is_not(None)
    by_floor = (
        select(
            Unit.floor,
            func.count(Unit.id),
            func.coalesce(func.sum(Unit.area_m2), 0),
            func.count(holding.c.unit_id),
            func.coalesce(func.sum(case((taken, Unit.area_m2), else_=0)), 0),
        )
        .select_from(Unit)
        .outerjoin(holding, holding.c.unit_id == Unit.id)
        .where(Unit.park_id == park_id)
        .group_by(Unit.floor)
        .order_by(Unit.floor)
    )
    residents = (
        select(Team.track, func.count())
        .where(Team.park_id == park_id, Team.status == TeamStatus.RESIDENT)
        .group_by(Team.track)
    )
    space = (
        select(
            Team.track,
            func.count(distinct(held.c.team_id)),
            func.count(held.c.id),
            func.coalesce(func.sum(Unit.area_m2), 0),
        )
        .select_from(held)
        .join(Unit, and_(Unit.id == held.c.unit_id, Unit.park_id == park_id))
        .join(Team, Team.id == held.c.team_id)
        .group_by(Team.track)
    )
    return by_floor, residents, space


def occupancy(park: Park, on: date) -> Occupancy:
    """Area, units and residents of a park on a day, by floor and by track: three queries."""
    by_floor, by_track, space_by_track = _occupancy_statements()
    params = {"park_id": park.id, "day": on}
    floor_rows = db.session.execute(by_floor, params).all()
    floors_ = [FloorRow(f, n, t, area(a), area(al)) for f, n, a, t, al in floor_rows]

    tracks: dict[str, TrackRow] = defaultdict(lambda: TrackRow(""))
    for track, n in db.session.execute(by_track, params).all():
        tracks[track].residents = n
    for track, teams, units, allocated in db.session.execute(space_by_track, params).all():
        row = tracks[track]
        row.teams_with_space, row.units, row.allocated_m2 = teams, units, area(allocated)
    order = {t.value: i for i, t in enumerate(Track)}
    rows = []
    for track in sorted(tracks, key=lambda t: order.get(t, len(order))):
        tracks[track].track = track
        rows.append(tracks[track])
    return Occupancy(park=park, on=on, floors=floors_, tracks=rows)


# --- the floor view --------------------------------------------------------------------


@dataclass
class Holder:
    """Who holds a unit on the day: the team's names and the allocation's end."""

    name_zh: str
    name_en: str
    end: date | None

    display_name = Team.display_name  # the team's own rule (page language, Chinese else)


@dataclass
class Cell:
    """A unit on the floor view and who holds it on the day.

    Plain values read as columns, not ORM records: a park has hundreds of units, and
    loading a unit, an allocation and a team record for each box cost more than the SQL.
    """

    unit: Any  # a row: id, code, floor, area_m2
    holder: Holder | None
    state: str  # free, taken, ending

    @property
    def size(self) -> int:
        """Box size class 1 … 4 by area, so that a hall looks bigger than a desk."""
        a = self.unit.area_m2
        return 1 if a < 50 else 2 if a < 150 else 3 if a < 500 else 4


@functools.cache
def _floor_plan_statement() -> Select[Any]:
    park_id, day = _park_and_day()
    held = Allocation.held_on(day)  # what runs on the day, not each unit's history
    return (
        select(
            Unit.id,
            Unit.code,
            Unit.floor,
            Unit.area_m2,
            held.c.id.label("held_id"),
            held.c.end,
            Team.name_zh,
            Team.name_en,
        )
        .outerjoin(held, held.c.unit_id == Unit.id)
        .outerjoin(Team, Team.id == held.c.team_id)
        .where(Unit.park_id == park_id)
        .order_by(Unit.floor, Unit.code, Unit.id)
    )


def floor_plan(park: Park, on: date) -> list[tuple[int, list[Cell]]]:
    """The park's units by floor, each with its holder on the day and its state: one query."""
    rows = db.session.execute(_floor_plan_statement(), {"park_id": park.id, "day": on}).all()
    soon = on + timedelta(days=ENDING_SOON_DAYS)
    plan: dict[int, list[Cell]] = {}
    for row in rows:
        holder = None if row.held_id is None else Holder(row.name_zh, row.name_en, row.end)
        if holder is None:
            state = "free"
        elif holder.end is not None and holder.end <= soon:
            state = "ending"
        else:
            state = "taken"
        plan.setdefault(row.floor, []).append(Cell(row, holder, state))
    return list(plan.items())
