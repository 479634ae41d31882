"""The one home of the park's team cap (every place that admits residents asks here) and of
a team's residency: its move-in and exit days, read from its history."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opc.core.errors import RuleViolation
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
