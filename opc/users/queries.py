"""Read models for the admin's user pages."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from opc.auth.models import User
from opc.extensions import db
from opc.parks.models import Park
from opc.teams.choices import team_choices as choices_of
from opc.teams.models import Team


def users() -> Select[tuple[User]]:
    """Every user, oldest first, with team and parks loaded (the list shows both)."""
    return (
        select(User)
        .options(joinedload(User.team), selectinload(User.parks))  # type: ignore[attr-defined]
        .order_by(User.id)
    )


def team_choices() -> list[SelectChoice]:
    """Every team, in pinyin order, saying whether it holds space (opc.teams.choices)."""
    teams = db.session.scalars(select(Team).options(joinedload(Team.park)))
    return choices_of(teams)


def park_choices() -> list[tuple[int, str]]:
    return [(p.id, p.name_zh) for p in db.session.scalars(select(Park).order_by(Park.id))]
