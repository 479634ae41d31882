"""Read models for team pages and the API: filtered lists, current space, waitlists.

Space is read from opc.space.models (Allocation, Unit) without importing the space
package's operations: teams only look at who holds what today.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from opc.core.dates import local_today
from opc.core.permissions import can, visible
from opc.extensions import db
from opc.parks.models import Park
from opc.space.models import Allocation, Unit
from opc.teams.models import Invitation, Team, TeamStatus, TeamStatusChange


@dataclass
class TeamFilters:
    """What a team list is narrowed to; None means no filter."""

    park_id: int | None = None
    status: str | None = None
    track: str | None = None
    floor: int | None = None
    has_space: bool | None = None
    q: str = ""

    @property
    def active(self) -> bool:
        return any(
            v not in (None, "") for v in (self.status, self.track, self.floor, self.has_space)
        ) or bool(self.q)


def today_for(park_id: int | None) -> date:
    """Today in the park's zone (the deployment's zone when no park is chosen)."""
    tz = None
    if park_id is not None:
        tz = db.session.scalar(select(Park.timezone).where(Park.id == park_id))
    return local_today(tz or current_app.config["BABEL_DEFAULT_TIMEZONE"])


def search(q: str) -> ColumnElement[bool]:
    """Case-insensitive match on the Chinese and English names and the pinyin."""
    text = q.strip().lower()
    compact = "".join(text.split())
    return or_(
        func.lower(Team.name_zh).contains(text, autoescape=True),
        func.lower(Team.name_en).contains(text, autoescape=True),
        Team.name_pinyin.contains(compact, autoescape=True),
    )


def teams_for(user: Any, filters: TeamFilters, today: date | None = None) -> Select[tuple[Team]]:
    """The teams the user may see, filtered, in name order (pinyin), park loaded."""
    stmt = select(Team).where(visible(user, Team)).options(joinedload(Team.park))
    if filters.park_id is not None:
        stmt = stmt.where(Team.park_id == filters.park_id)
    if filters.status:
        stmt = stmt.where(Team.status == filters.status)
    if filters.track:
        stmt = stmt.where(Team.track == filters.track)
    if filters.q.strip():
        stmt = stmt.where(search(filters.q))
    if filters.floor is not None or filters.has_space is not None:
        day = today or today_for(filters.park_id)
        holds = (
            select(Allocation.id)
            .join(Unit, Unit.id == Allocation.unit_id)
            .where(Allocation.team_id == Team.id, Allocation.holds_on(day))
        )
        if filters.floor is not None:
            stmt = stmt.where(exists(holds.where(Unit.floor == filters.floor)))
        if filters.has_space is not None:
            stmt = stmt.where(exists(holds) if filters.has_space else ~exists(holds))
    return stmt.order_by(Team.park_id, Team.name_pinyin, Team.id)


def current_units(teams: list[Team]) -> dict[int, list[Unit]]:
    """The units each team holds today (in its park's zone): one query per distinct zone."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for team in teams:
        by_zone[team.park.timezone].append(team.id)
    units: dict[int, list[Unit]] = defaultdict(list)
    for zone, ids in by_zone.items():
        rows = db.session.execute(
            select(Allocation.team_id, Unit)
            .join(Unit, Unit.id == Allocation.unit_id)
            .where(Allocation.team_id.in_(ids), Allocation.holds_on(local_today(zone)))
            .order_by(Unit.code)
        ).all()
        for team_id, unit in rows:
            units[team_id].append(unit)
    return units


def floors(park_ids: list[int]) -> list[int]:
    """The floors that the parks' units are on, for the floor filter."""
    if not park_ids:
        return []
    return list(
        db.session.scalars(
            select(Unit.floor).where(Unit.park_id.in_(park_ids)).distinct().order_by(Unit.floor)
        )
    )


def load_team(team_id: int) -> Team | None:
    """A team with what its page shows: park, history with actors, members, invitations."""
    return db.session.scalar(
        select(Team)
        .where(Team.id == team_id)
        .options(
            joinedload(Team.park),
            selectinload(Team.history).joinedload(TeamStatusChange.actor),
            selectinload(Team.members),
            selectinload(Team.invitations).joinedload(Invitation.invited_by),
        )
    )


def history(team: Team) -> Select[tuple[TeamStatusChange]]:
    """A team's lifecycle steps, oldest first, with who made them."""
    return (
        select(TeamStatusChange)
        .where(TeamStatusChange.team_id == team.id)
        .options(joinedload(TeamStatusChange.actor))
        .order_by(TeamStatusChange.id)
    )


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


def members(team: Team) -> Select[Any]:
    from opc.auth.models import User

    return select(User).where(User.team_id == team.id).order_by(User.id)


@dataclass
class Waitlist:
    """A park's waitlist in order, and who is next when a place is free."""

    park: Park
    residents: int
    teams: list[Team] = field(default_factory=list)

    @property
    def free_places(self) -> int:
        return max(0, self.park.team_cap - self.residents)

    @property
    def next_team(self) -> Team | None:
        return self.teams[0] if self.teams and self.free_places > 0 else None


def managed_parks(user: Any, park_id: int | None = None) -> list[Park]:
    """The parks whose teams the user manages, in id order; only `park_id` when given."""
    stmt = select(Park).where(visible(user, Park)).order_by(Park.id)
    if park_id is not None:
        stmt = stmt.where(Park.id == park_id)
    return [p for p in db.session.scalars(stmt) if can(user, "teams.manage", ParkRef(p.id))]


def waitlists_for(user: Any, park_id: int | None = None) -> list[Waitlist]:
    """The waitlists of the parks whose teams the user manages: three queries in all."""
    parks = managed_parks(user, park_id)
    if not parks:
        return []
    ids = [p.id for p in parks]
    residents = dict(
        db.session.execute(
            select(Team.park_id, func.count())
            .where(Team.park_id.in_(ids), Team.status == TeamStatus.RESIDENT)
            .group_by(Team.park_id)
        ).all()
    )
    waiting: dict[int, list[Team]] = defaultdict(list)
    for team in db.session.scalars(
        select(Team)
        .where(Team.park_id.in_(ids), Team.waitlisted_at.is_not(None))
        .order_by(Team.waitlisted_at, Team.id)
    ):
        waiting[team.park_id].append(team)
    return [Waitlist(p, residents.get(p.id, 0), waiting[p.id]) for p in parks]


@dataclass(frozen=True)
class ParkRef:
    """Something of a park, for rules that look at `park_id` (teams.manage)."""

    park_id: int
