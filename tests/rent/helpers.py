"""Helpers for the rent tests: residents with a move-in day, policies, waivers."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
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


def policy(app: Any, park: Any, steps: list[tuple[int | None, str]], **kw: Any) -> Any:
    """A policy of the park with this schedule (months, percent), created by the system."""
    from opc.rent import operations as ops

    values = {"code": f"P{len(steps)}-{id(steps) % 10000}", "name_zh": "科幻13条 第4条"}
    values.update(kw)
    with app.app_context():
        created = ops.create_policy(
            actor=None,
            park_id=park.id,
            steps=[{"months": m, "percent": p} for m, p in steps],
            **values,
        )
        created = SimpleNamespace(id=created.id, code=created.code)
        db.session.remove()
    return created


def approved(app: Any, team: Any, **values: Any) -> Any:
    """A waiver proposed and approved by the system."""
    from opc.rent import operations as ops

    with app.app_context():
        waiver = ops.propose_waiver(actor=None, team_id=team.id, **values)
        ops.approve_waiver(waiver, actor=None)
        waiver = SimpleNamespace(id=waiver.id)
        db.session.remove()
    return waiver
