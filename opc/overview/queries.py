"""Read models of the dashboards: figures from teams and space, per park."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Select, bindparam, func, select
from sqlalchemy.orm import aliased

from opc.core.dates import local_today
from opc.extensions import db
from opc.parks import queries as parks
from opc.parks.models import Park
from opc.space.models import Allocation, Unit
from opc.teams.models import Team, TeamStatus


def parks_for(user: Any) -> list[Park]:
    """The parks the user may see, in order."""
    return list(db.session.scalars(parks.parks_for(user)))


@dataclass
class ParkSummary:
    park: Park
    today: date  # the park's own date: the figures are for this day in its zone
    teams_by_status: dict[str, int]
    residents: int
    waitlist: int
    units: int
    unit_area_m2: Decimal
    allocated_area_m2: Decimal
    # Resident teams per track, most first (the dashboard chart).
    residents_by_track: list[tuple[str, int]]

    @property
    def free_places(self) -> int:
        return max(0, self.park.team_cap - self.residents)

    @property
    def occupancy_pct(self) -> int:
        total = self.park.total_area_m2 or Decimal(1)
        return int(self.allocated_area_m2 * 100 / total)


@functools.cache
def _summary_statements() -> tuple[Select[Any], Select[Any]]:
    """Built once per process, run with the park and the day as parameters: building these
    costs SQLAlchemy more (about 1 ms) than the database takes to answer them."""
    park_id = bindparam("park_id")
    teams = (
        select(Team.status, Team.track, func.count(), func.count(Team.waitlisted_at))
        .where(Team.park_id == park_id)
        .group_by(Team.status, Team.track)
    )
    held, unit = Allocation.held_on(bindparam("day", type_=Date)), aliased(Unit)
    allocated = (
        select(func.coalesce(func.sum(unit.area_m2), 0))
        .select_from(held)
        .join(unit, unit.id == held.c.unit_id)
        .where(unit.park_id == park_id)
        .scalar_subquery()
    )
    units = select(func.count(), func.coalesce(func.sum(Unit.area_m2), 0), allocated).where(
        Unit.park_id == park_id
    )
    return teams, units


def summary(park: Park) -> ParkSummary:
    """The dashboard's figures for one park, today in the park's zone: two queries.

    (Teams counted once by status and track, the waitlist along; units and the area held
    today in one statement: each statement is a round trip to PostgreSQL.)
    """
    today = local_today(park.timezone)
    teams, units_and_held = _summary_statements()
    by_status: dict[str, int] = {}
    by_track: dict[str, int] = {}
    waitlist = 0
    for status, track, n, waiting in db.session.execute(teams, {"park_id": park.id}):
        by_status[status] = by_status.get(status, 0) + n
        waitlist += waiting
        if status == TeamStatus.RESIDENT:
            by_track[track] = n
    units, unit_area, allocated_area = db.session.execute(
        units_and_held, {"park_id": park.id, "day": today}
    ).one()
    two = Decimal("0.01")
    return ParkSummary(
        park=park,
        today=today,
        teams_by_status={s.value: by_status.get(s.value, 0) for s in TeamStatus},
        residents=by_status.get(TeamStatus.RESIDENT.value, 0),
        waitlist=waitlist,
        units=units,
        unit_area_m2=Decimal(str(unit_area)).quantize(two),
        allocated_area_m2=Decimal(str(allocated_area)).quantize(two),
        residents_by_track=sorted(by_track.items(), key=lambda t: -t[1]),
    )
