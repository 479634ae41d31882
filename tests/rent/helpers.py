"""Helpers for the rent tests: residents with a move-in day, policies, waivers."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from opc.extensions import db
from tests.core.helpers import count, error_of, post_form, rows

__all__ = ["D", "count", "error_of", "post_form", "resident", "rows"]

D = date.fromisoformat


def resident(make: Any, park: Any, since: str, **kw: Any) -> Any:
    """A resident team whose history says it moved in on `since` (its schedule counts
    from there)."""
    from opc.teams.models import TeamStatusChange

    team = make.team(park, status="resident", status_since=D(since), **kw)
    with make.app.app_context(), Session(db.engine) as session:
        session.add(
            TeamStatusChange(
                team_id=team.id, from_status="admitted", to_status="resident", on=D(since)
            )
        )
        session.commit()
    return team
