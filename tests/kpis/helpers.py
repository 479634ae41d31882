"""Helpers of the KPI tests: teams with a history (move-in, exit), figures as filed."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from opc.extensions import db

FIGURES = {
    "revenue_fen": 1_234_567,
    "financing_fen": 50_000_000,
    "rnd_fen": 300_000,
    "taxes_fen": 12_345,
    "headcount": 8,
    "graduates_hired": 3,
    "patents_applied": 2,
    "patents_granted": 1,
    "software_copyrights_applied": 4,
    "software_copyrights_granted": 3,
    "trademarks_applied": 1,
    "trademarks_granted": 0,
    "works_released": 5,
}


def resident_team(
    make: Any,
    park: Any = None,
    *,
    move_in: date | None = date(2025, 1, 10),
    left: date | None = None,
    left_as: str = "graduated",
    status: str | None = None,
) -> Any:
    """A team that moved in on `move_in` (None: no history, resident before it was kept)
    and, with `left`, graduated (or `left_as`) on that day."""
    from opc.teams.models import TeamStatusChange

    status = status or (left_as if left else "resident")
    team = make.team(park, status=status)
    changes = []
    if move_in is not None:
        changes.append(("admitted", "resident", move_in))
    if left is not None:
        changes.append(("resident", left_as, left))
    with make.app.app_context(), Session(db.engine) as session:
        for from_status, to_status, day in changes:
            session.add(
                TeamStatusChange(
                    team_id=team.id, from_status=from_status, to_status=to_status, on=day
                )
            )
        session.commit()
    return team
