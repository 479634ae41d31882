"""Read models for the admin's user pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from opc.auth.models import User
from opc.core.sorting import Sort, Sorting
from opc.extensions import db
from opc.parks.models import Park
from opc.teams.choices import team_choices as choices_of
from opc.teams.models import Team


@dataclass(frozen=True)
class UserFilters:
    q: str = ""  # part of the e-mail or the name
    role: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.q or self.role)


SORTING = Sorting(
    {
        "email": User.email,
        "name": func.nullif(User.name, ""),  # no name: last
        "role": User.role,
        "team": select(Team.name_pinyin).where(Team.id == User.team_id).scalar_subquery(),
    },
    default="email",
    tiebreak=User.id,
)


def users(filters: UserFilters | None = None, sort: Sort | None = None) -> Select[tuple[User]]:
    """Every user (narrowed by the filters), with team and parks loaded (the list shows
    both): in the reader's order, else oldest first."""
    stmt = select(User).options(joinedload(User.team), selectinload(User.parks))  # type: ignore[attr-defined]
    if filters and filters.q:
        text = filters.q.strip().lower()
        stmt = stmt.where(
            or_(
                func.lower(User.email).contains(text, autoescape=True),
                func.lower(User.name).contains(text, autoescape=True),
            )
        )
    if filters and filters.role:
        stmt = stmt.where(User.role == filters.role)
    return stmt.order_by(*sort.order_by()) if sort else stmt.order_by(User.id)


def team_choices() -> list[SelectChoice]:
    """Every team, in pinyin order, saying whether it holds space (opc.teams.choices)."""
    teams = db.session.scalars(select(Team).options(joinedload(Team.park)))
    return choices_of(teams)


def park_choices() -> list[tuple[int, str]]:
    return [(p.id, p.name_zh) for p in db.session.scalars(select(Park).order_by(Park.id))]
