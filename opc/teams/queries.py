"""Read models for team pages and the API: filtered lists, members, waitlists.

Filters that domains above contribute (the floor a team sits on) come from
opc.teams.pages; teams never read their tables.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from opc.auth.models import User
from opc.core.dates import local_today
from opc.core.permissions import Role, visible
from opc.core.sorting import Sort, Sorting
from opc.extensions import db
from opc.parks.models import Park
from opc.teams.models import Invitation, Team, TeamStatus, TeamStatusChange
from opc.teams.pages import CONTRIBUTIONS
from opc.teams.permissions import can_manage_teams


@dataclass
class TeamFilters:
    """What a team list is narrowed to; None means no filter."""

    park_id: int | None = None
    status: str | None = None
    track: str | None = None
    q: str = ""
    # Contributed filters (opc.teams.pages): parameter -> chosen value.
    more: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return bool(self.status or self.track or self.q.strip() or self.more)


def today_for(park_id: int | None) -> date:
    """Today in the park's zone (the deployment's zone when no park is chosen)."""
    tz = None
    if park_id is not None:
        tz = db.session.scalar(select(Park.timezone).where(Park.id == park_id))
    return local_today(tz or current_app.config["BABEL_DEFAULT_TIMEZONE"])


def search(q: str) -> ColumnElement[bool]:
    """Case-insensitive match on the Chinese and English names, the pinyin and its
    initials ("xygzs" finds 星云工作室: opc.core.pinyin)."""
    text = q.strip().lower()
    compact = "".join(text.split())
    return or_(
        func.lower(Team.name_zh).contains(text, autoescape=True),
        func.lower(Team.name_en).contains(text, autoescape=True),
        Team.name_pinyin.contains(compact, autoescape=True),
        Team.name_initials.contains(compact, autoescape=True),
    )


SORTING = Sorting(
    {
        "name": Team.name_pinyin,
        "track": Team.track,
        "status": Team.status,
        "since": Team.status_since,
        "contact": func.nullif(Team.contact_name, ""),  # no contact: last
    },
    default="name",
    tiebreak=Team.id,
    first_desc=frozenset({"since"}),
)


def teams_for(
    user: Any, filters: TeamFilters, today: date | None = None, sort: Sort | None = None
) -> Select[tuple[Team]]:
    """The teams the user may see, filtered, in the reader's order (without one: park by
    park, by their names' pinyin), park loaded."""
    stmt = select(Team).where(visible(user, Team)).options(joinedload(Team.park))
    if filters.park_id is not None:
        stmt = stmt.where(Team.park_id == filters.park_id)
    if filters.status:
        stmt = stmt.where(Team.status == filters.status)
    if filters.track:
        stmt = stmt.where(Team.track == filters.track)
    if filters.q.strip():
        stmt = stmt.where(search(filters.q))
    if filters.more:
        day = today or today_for(filters.park_id)
        for facet in CONTRIBUTIONS.filters:
            if facet.param in filters.more:
                stmt = facet.narrow(stmt, filters.more[facet.param], day)
    if sort is None:  # park by park, then by name
        return stmt.order_by(Team.park_id, *SORTING.chosen({}).order_by())
    return stmt.order_by(*sort.order_by())


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


def members(team: Team) -> Select[Any]:
    """The team's members, oldest account first."""
    return select(User).where(User.team_id == team.id).order_by(User.id)


def active_member_ids(session: Session, team_id: int) -> list[int]:
    """The ids of the team's members whose accounts are active: who hears of the team's
    news (vouchers, applications, requests, introductions)."""
    stmt = select(User.id).where(
        User.team_id == team_id, User.role == Role.MEMBER, User.is_active.is_(True)
    )
    return list(session.scalars(stmt.order_by(User.id)))


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
    return [p for p in db.session.scalars(stmt) if can_manage_teams(user, p)]


def waitlists_of(parks: list[Park]) -> list[Waitlist]:
    """The waitlists of these parks (the ones whose teams the user manages): two queries."""
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


def all_parks() -> list[Park]:
    """Every park, for the public application form (anyone may apply to any park)."""
    return list(db.session.scalars(select(Park).order_by(Park.id)))


def invitation(team: Team, invitation_id: int) -> Invitation | None:
    """One of the team's invitations."""
    found = db.session.get(Invitation, invitation_id)
    return found if found is not None and found.team_id == team.id else None
