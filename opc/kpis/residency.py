"""Which teams owe a KPI report for a quarter: those resident (or suspended) on some day of
it, by their history (opc.teams.rules): from the move-in, the day the team first became
resident, to the day it graduated or exited (excluded).

A team with no move-in in its history that is resident or suspended now, or that left
from residency, was resident before histories were kept: it is held to its exit only.
The same rule is written twice, for one team in Python and for a park's teams in SQL (one
statement for the list of a park's quarter); tests hold the two to each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Subquery, and_, func, or_, select
from sqlalchemy.orm import Session

from opc.teams.models import Team, TeamStatus, TeamStatusChange
from opc.teams.rules import LEFT

IN_RESIDENCE = (TeamStatus.RESIDENT, TeamStatus.SUSPENDED)


@dataclass(frozen=True)
class Residency:
    """A team's stay: [move_in, left), either end open (None); `resident` False when the
    team never was."""

    resident: bool
    move_in: date | None
    left: date | None

    def overlaps(self, start: date, end: date) -> bool:
        """Whether the team was resident on some day of [start, end)."""
        if not self.resident or start >= end:
            return False
        if self.move_in is not None and self.move_in >= end:
            return False
        return self.left is None or self.left > start


def residency_of(session: Session, team: Team) -> Residency:
    """The team's stay, from its history."""
    move_in = session.scalar(
        select(func.min(TeamStatusChange.on)).where(
            TeamStatusChange.team_id == team.id,
            TeamStatusChange.to_status == TeamStatus.RESIDENT,
        )
    )
    exit_row = session.execute(
        select(TeamStatusChange.on, TeamStatusChange.from_status)
        .where(TeamStatusChange.team_id == team.id, TeamStatusChange.to_status.in_(LEFT))
        .order_by(TeamStatusChange.on)
        .limit(1)
    ).first()
    left, left_from = (exit_row[0], exit_row[1]) if exit_row else (None, None)
    resident = move_in is not None or team.status in IN_RESIDENCE or left_from in IN_RESIDENCE
    return Residency(resident, move_in, left)


def move_ins() -> Subquery:
    """team_id, move_in: each team's first day of residency."""
    return (
        select(TeamStatusChange.team_id, func.min(TeamStatusChange.on).label("move_in"))
        .where(TeamStatusChange.to_status == TeamStatus.RESIDENT)
        .group_by(TeamStatusChange.team_id)
        .subquery("move_ins")
    )


def exits() -> Subquery:
    """team_id, left_on, left_from: the day each team that left did, and from which status."""
    return (
        select(
            TeamStatusChange.team_id,
            func.min(TeamStatusChange.on).label("left_on"),
            func.max(TeamStatusChange.from_status).label("left_from"),
        )
        .where(TeamStatusChange.to_status.in_(LEFT))
        .group_by(TeamStatusChange.team_id)
        .subquery("exits")
    )


def resident_between(
    moved: Subquery, left: Subquery, start: date, end: date
) -> ColumnElement[bool]:
    """SQL: the team (joined to `moved` and `left` by team_id, outer) was resident on some
    day of [start, end); as Residency.overlaps."""
    before_history = and_(
        moved.c.move_in.is_(None),
        or_(Team.status.in_(IN_RESIDENCE), left.c.left_from.in_(IN_RESIDENCE)),
    )
    return and_(
        or_(moved.c.move_in < end, before_history),
        or_(left.c.left_on.is_(None), left.c.left_on > start),
    )
