"""Read models of the dashboards: figures from teams and space, per park."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, union_all

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

    @property
    def free_places(self) -> int:
        return max(0, self.park.team_cap - self.residents)

    @property
    def occupancy_pct(self) -> int:
        total = self.park.total_area_m2 or Decimal(1)
        return int(self.allocated_area_m2 * 100 / total)


def summary(park: Park) -> ParkSummary:
    """The dashboard's figures for one park, today in the park's zone: four queries."""
    today = local_today(park.timezone)
    by_status = dict(
        db.session.execute(
            select(Team.status, func.count()).where(Team.park_id == park.id).group_by(Team.status)
        ).all()
    )
    waitlist = (
        db.session.scalar(
            select(func.count())
            .select_from(Team)
            .where(Team.park_id == park.id, Team.waitlisted_at.is_not(None))
        )
        or 0
    )
    units, unit_area = db.session.execute(
        select(func.count(), func.coalesce(func.sum(Unit.area_m2), 0)).where(
            Unit.park_id == park.id
        )
    ).one()
    held = (
        select(func.coalesce(func.sum(Unit.area_m2), 0).label("area"))
        .select_from(Allocation)
        .join(Unit, Unit.id == Allocation.unit_id)
        .where(Unit.park_id == park.id, Allocation.start <= today)
    )
    # Open-ended and ending-later allocations as two indexed queries rather than one OR.
    both = union_all(held.where(Allocation.end.is_(None)), held.where(Allocation.end > today))
    allocated = db.session.scalar(select(func.sum(both.subquery().c.area)))
    two = Decimal("0.01")
    return ParkSummary(
        park=park,
        today=today,
        teams_by_status={s.value: by_status.get(s.value, 0) for s in TeamStatus},
        residents=by_status.get(TeamStatus.RESIDENT.value, 0),
        waitlist=waitlist,
        units=units,
        unit_area_m2=Decimal(str(unit_area)).quantize(two),
        allocated_area_m2=Decimal(str(allocated)).quantize(two),
    )


def teams_by_track(park: Park) -> list[tuple[str, int]]:
    """Resident teams per track, for the dashboard chart."""
    return [
        tuple(row)
        for row in db.session.execute(  # type: ignore[misc]
            select(Team.track, func.count())
            .where(Team.park_id == park.id, Team.status == TeamStatus.RESIDENT)
            .group_by(Team.track)
            .order_by(func.count().desc())
        ).all()
    ]
