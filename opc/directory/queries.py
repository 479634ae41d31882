"""Read models of the directory: the residents a user may see (filtered and searched as the
team list is, with opc.teams' search), profiles, matches ranked and a park's synergy figures.

Hidden teams and other parks' teams are left out here, in SQL, for every page and the API.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from opc.auth.models import User
from opc.core.dates import to_local
from opc.core.permissions import Role, visible
from opc.core.pinyin import sort_key
from opc.core.sorting import Sort, Sorting
from opc.directory.models import (
    LISTED,
    Introduction,
    Outcome,
    Profile,
    Skill,
    profile_needs,
    profile_offers,
)
from opc.directory.permissions import can_introduce, resident_park, sees_hidden
from opc.extensions import db
from opc.parks.models import Park
from opc.parks.permissions import staff_park_ids
from opc.teams.models import Team
from opc.teams.queries import search


@dataclass
class DirectoryFilters:
    """What the directory is narrowed to; None or "" means no filter."""

    park_id: int | None = None
    track: str | None = None
    offers: str | None = None  # a skill's code
    needs: str | None = None
    q: str = ""

    @property
    def active(self) -> bool:
        return bool(self.track or self.offers or self.needs or self.q.strip())


def skills() -> list[Skill]:
    """The shared list of skills, in the order they were added."""
    return list(db.session.scalars(select(Skill).order_by(Skill.id)))


def skill_by_code(code: str) -> Skill | None:
    return db.session.scalar(select(Skill).where(Skill.code == code))


def directory_park_ids(user: Any) -> set[int] | None:
    """The parks whose directory the user sees (None: every park, for admins)."""
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.STAFF:
        return staff_park_ids(user)
    park = resident_park(user)
    return {park} if park is not None else set()


def directory_parks(user: Any) -> list[Park]:
    """Those parks, in id order."""
    ids = directory_park_ids(user)
    stmt = select(Park).where(visible(user, Park)).order_by(Park.id)
    if ids is not None:
        stmt = stmt.where(Park.id.in_(ids))
    return list(db.session.scalars(stmt))


def _tagged(table: Any, skill_ids: Any) -> Any:
    """The team has a profile listing one of these skills on this side."""
    return exists(
        select(Profile.id)
        .join(table, table.c.profile_id == Profile.id)
        .where(Profile.team_id == Team.id, table.c.skill_id.in_(skill_ids))
    )


def listed(user: Any, park_ids: set[int] | None = None) -> Select[tuple[Team]]:
    """The residents the user may see in the directory: admitted and resident teams of the
    user's parks (of `park_ids` among them), without hidden ones unless the user is staff."""
    stmt = select(Team).where(Team.status.in_(LISTED))
    mine = directory_park_ids(user)
    if mine is not None:
        stmt = stmt.where(Team.park_id.in_(mine))
    if park_ids is not None:
        stmt = stmt.where(Team.park_id.in_(park_ids))
    if not sees_hidden(user):
        hidden = exists(
            select(Profile.id).where(Profile.team_id == Team.id, Profile.hidden.is_(True))
        )
        stmt = stmt.where(~hidden)
    return stmt


def residents(user: Any, park: Park) -> list[Team]:
    """The park's residents as the user sees them in the directory (for choices)."""
    return list(db.session.scalars(listed(user, {park.id})))


DIRECTORY = Sorting(
    {"name": Team.name_pinyin, "track": Team.track},
    default="name",
    tiebreak=Team.id,
)


def directory(
    user: Any, filters: DirectoryFilters, sort: Sort | None = None
) -> Select[tuple[Team]]:
    """The directory page and GET /directory: filtered, searched, in the reader's order
    (without one: park by park, in name order (pinyin))."""
    parks = {filters.park_id} if filters.park_id is not None else None
    stmt = listed(user, parks).options(joinedload(Team.park))
    if filters.track:
        stmt = stmt.where(Team.track == filters.track)
    for table, code in ((profile_offers, filters.offers), (profile_needs, filters.needs)):
        if code:
            stmt = stmt.where(_tagged(table, select(Skill.id).where(Skill.code == code)))
    if filters.q.strip():
        stmt = stmt.where(search(filters.q))
    if sort is not None:
        return stmt.order_by(*sort.order_by())
    return stmt.order_by(Team.park_id, *DIRECTORY.chosen({}).order_by())


def profiles_of(team_ids: list[int]) -> dict[int, Profile]:
    """The profiles of these teams (with their tags), by team id: two queries."""
    if not team_ids:
        return {}
    stmt = (
        select(Profile)
        .where(Profile.team_id.in_(team_ids))
        .options(selectinload(Profile.offers), selectinload(Profile.needs))
    )
    return {p.team_id: p for p in db.session.scalars(stmt)}


def profile_of(team: Team) -> Profile | None:
    return profiles_of([team.id]).get(team.id)


@dataclass
class Match:
    """A resident whose offers meet the team's needs: the skills they share, and whether the
    two are in the same track (the tie-break)."""

    team: Team
    shared: list[Skill]
    same_track: bool
    profile: Profile | None = None


def matches(team: Team, user: Any) -> list[Match]:
    """The residents of the team's park whose offers meet its needs, as the user may see
    them: most shared skills first, then the same track, then name order."""
    own = profile_of(team)
    needed = {s.id for s in own.needs} if own is not None else set()
    if not needed:
        return []
    stmt = listed(user, {team.park_id}).where(
        Team.id != team.id, _tagged(profile_offers, list(needed))
    )
    candidates = list(db.session.scalars(stmt))
    profiles = profiles_of([t.id for t in candidates])
    found = []
    for other in candidates:
        profile = profiles[other.id]
        shared = [s for s in profile.offers if s.id in needed]
        found.append(Match(other, shared, other.track == team.track, profile))
    found.sort(key=lambda m: (-len(m.shared), not m.same_track, sort_key(m.team.name_zh)))
    return found


def _team_name(column: Any) -> Any:
    return select(Team.name_pinyin).where(Team.id == column).scalar_subquery()


INTRODUCTIONS = Sorting(
    {
        "date": Introduction.created_at,
        "teams": (_team_name(Introduction.team_a_id), _team_name(Introduction.team_b_id)),
        "note": func.nullif(Introduction.note, ""),  # none: last
        "by": select(User.name).where(User.id == Introduction.made_by_id).scalar_subquery(),
        "outcome": Introduction.outcome,  # pending: last
    },
    default="date",
    tiebreak=Introduction.id,
    descending=True,
    first_desc=frozenset({"date"}),
)


def introductions(
    user: Any, park_id: int | None = None, sort: Sort | None = None
) -> Select[tuple[Introduction]]:
    """The introductions the user may see (a park's, when given), in the reader's order
    (the newest first unless told)."""
    stmt = (
        select(Introduction)
        .where(visible(user, Introduction))
        .options(
            joinedload(Introduction.team_a),
            joinedload(Introduction.team_b),
            joinedload(Introduction.made_by),
        )
    )
    if park_id is not None:
        stmt = stmt.where(Introduction.park_id == park_id)
    sort = sort or INTRODUCTIONS.chosen({})
    return stmt.order_by(*sort.order_by())


def team_introductions(team: Team) -> list[Introduction]:
    """The team's introductions, newest first (on its matches page)."""
    stmt = (
        select(Introduction)
        .where((Introduction.team_a_id == team.id) | (Introduction.team_b_id == team.id))
        .options(joinedload(Introduction.team_a), joinedload(Introduction.team_b))
        .order_by(Introduction.created_at.desc(), Introduction.id.desc())
    )
    return list(db.session.scalars(stmt))


def managed_parks(user: Any) -> list[Park]:
    """The parks whose introductions the user makes, in id order."""
    return [p for p in directory_parks(user) if can_introduce(user, p)]


@dataclass
class Figures:
    """A park's synergy: introductions made, their outcomes, and by month how many were made
    and how many led to a collaboration (months in the park's zone)."""

    made: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    months: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def pending(self) -> int:
        return self.made - sum(self.outcomes.values())

    @property
    def collaborated(self) -> int:
        return self.outcomes[Outcome.COLLABORATED]


def figures(park: Park) -> Figures:
    """The park's synergy figures, from one query of its introductions' dates and outcomes."""
    rows = db.session.execute(
        select(Introduction.created_at, Introduction.outcome).where(Introduction.park_id == park.id)
    ).all()
    result = Figures(made=len(rows))
    by_month: dict[str, list[int]] = {}
    for created_at, outcome in rows:
        local = to_local(created_at, park.timezone)
        month = local.strftime("%Y-%m") if local is not None else ""
        counts = by_month.setdefault(month, [0, 0])
        counts[0] += 1
        if outcome:
            result.outcomes[outcome] += 1
            counts[1] += outcome == Outcome.COLLABORATED
    result.months = {m: (c[0], c[1]) for m, c in by_month.items()}
    return result
