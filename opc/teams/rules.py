"""The one home of the park's team cap (every place that admits residents asks here) and of
a team's residency: its move-in and exit days, read from its history."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opc.core.dates import format_day
from opc.core.errors import RuleViolation, ValidationFailed
from opc.extensions import db
from opc.parks.models import Park
from opc.teams.models import Team, TeamStatus, TeamStatusChange


def resident_count(session: Session, park_id: int) -> int:
    """How many teams of the park are resident (lock the park row before relying on it)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Team)
            .where(Team.park_id == park_id, Team.status == TeamStatus.RESIDENT)
        )
        or 0
    )


def cap_refusal(
    park: Park, residents: int, *, adding: int = 1, cap: int | None = None
) -> RuleViolation | None:
    """None while `residents` plus `adding` fit the park's cap (or a new `cap`); else the
    refusal `team_cap_reached`, naming the cap and the residents."""
    limit = park.team_cap if cap is None else int(cap)
    if residents + adding <= limit:
        return None
    if adding:
        message = _("The park's cap of %(cap)d resident teams is reached.", cap=limit)
    else:
        message = _("The park already has %(n)d resident teams.", n=residents)
    return RuleViolation(
        "team_cap_reached",
        message,
        conflict={"park_id": park.id, "team_cap": limit, "residents": residents},
    )


def check_cap_on_resize(park: Park, *, team_cap: Any = None, **_values: Any) -> None:
    """A park's new cap must hold its residents (receiver of opc.parks.signals.resizing)."""
    if team_cap is None:
        return
    refusal = cap_refusal(park, resident_count(db.session, park.id), adding=0, cap=team_cap)
    if refusal is not None:
        raise refusal


def is_refusal(from_status: str, to_status: str) -> bool:
    """An applicant that leaves is refused (its application), not ended (it had no stay)."""
    return from_status == TeamStatus.APPLICANT and to_status == TeamStatus.EXITED


def check_refusal_reason(from_status: str, to_status: str, note: str) -> None:
    """A refusal gives its reason, which the team's history keeps (422 on `note`)."""
    if is_refusal(from_status, to_status) and not note.strip():
        reason = _("Give the reason for the refusal: the team's history keeps it.")
        raise ValidationFailed({"note": [reason]})


# --- residency -------------------------------------------------------------------------

LEFT = (TeamStatus.GRADUATED, TeamStatus.EXITED)


def move_in_dates(session: Session, team_ids: list[int]) -> dict[int, date]:
    """Each team's move-in: the day it first became resident (its history says; a team
    onboarded with its past has that day too). Teams never resident are left out."""
    if not team_ids:
        return {}
    stmt = (
        select(TeamStatusChange.team_id, func.min(TeamStatusChange.on))
        .where(
            TeamStatusChange.team_id.in_(team_ids),
            TeamStatusChange.to_status == TeamStatus.RESIDENT,
        )
        .group_by(TeamStatusChange.team_id)
    )
    return {team_id: day for team_id, day in session.execute(stmt).tuples()}


def exit_dates(session: Session, team_ids: list[int]) -> dict[int, tuple[date, str]]:
    """Each team that left: the day it graduated or exited, and which of the two."""
    if not team_ids:
        return {}
    stmt = select(TeamStatusChange.team_id, TeamStatusChange.on, TeamStatusChange.to_status).where(
        TeamStatusChange.team_id.in_(team_ids), TeamStatusChange.to_status.in_(LEFT)
    )
    return {team_id: (day, status) for team_id, day, status in session.execute(stmt).tuples()}


def check_residency(session: Session, team: Team, start: date | None, end: date | None) -> None:
    """Space is held within residency: never from before the team's move-in, never past the
    day it left (409 team_not_resident naming the dates). A team with no recorded move-in
    (created before histories were kept) is not held to its start; `start` None: only the
    end is checked (an allocation's new end)."""
    move_in = move_in_dates(session, [team.id]).get(team.id)
    left = exit_dates(session, [team.id]).get(team.id)
    conflict = {
        "team_id": team.id,
        "move_in": move_in.isoformat() if move_in else None,
        "exit": left[0].isoformat() if left else None,
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
    }
    if move_in is not None and start is not None and start < move_in:
        message = _(
            "%(team)s moved in on %(day)s: its space may not start before (%(start)s).",
            team=team.name_zh,
            day=format_day(move_in),
            start=format_day(start),
        )
        raise RuleViolation("team_not_resident", message, conflict=conflict)
    if left is not None and (end is None or end > left[0]):
        message = _(
            "%(team)s left on %(day)s: its space may not run past that day.",
            team=team.name_zh,
            day=format_day(left[0]),
        )
        raise RuleViolation("team_not_resident", message, conflict=conflict)
