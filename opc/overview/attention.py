"""What a park's staff should act on, for the dashboard: applicants waiting for a decision
(oldest first), allocations ending soon, resident teams without space. Each is also a
filter of the team list (registered from init_app), so that a count links to its teams.
For admins, in December, next year when the park's working calendar does not know it yet
(service deadlines that reach into it would fail).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, exists, func, select

from opc.extensions import db
from opc.parks.models import Park
from opc.parks.workdays import calendar_of
from opc.parks.workdays.queries import unknown_next_year
from opc.space.models import Allocation, Unit
from opc.teams.models import Team, TeamStatus
from opc.teams.pages import Filter, add_facet

ENDING_WITHIN_DAYS = 30  # "allocations ending in the next 30 days"
SHOWN = 5  # the oldest applicants and the first endings listed on the dashboard


@dataclass(frozen=True)
class Ending:
    """An allocation whose last day is within ENDING_WITHIN_DAYS."""

    team_id: int
    team_name: str
    unit_code: str
    end: date  # exclusive, as stored: the last day held is the day before


@dataclass
class Attention:
    applicants: list[Team]  # the oldest SHOWN, oldest first
    applicants_total: int
    ending: list[Ending]  # the first SHOWN to end
    ending_total: int
    without_space: int  # resident teams that hold no unit today
    unknown_year: int | None = None  # December: next year, unknown to the park's calendar


def _ends_soon(day: date) -> Any:
    """In SQL: the allocation's last day is `day` or one of the ENDING_WITHIN_DAYS after it
    (`end` is stored exclusive, the day after the last: day < end <= day + N + 1)."""
    last = day + timedelta(days=ENDING_WITHIN_DAYS + 1)
    return and_(Allocation.end > day, Allocation.end <= last)


def _holds_on(day: date) -> Any:
    """In SQL: the team of the outer query holds some unit on `day`."""
    return exists(
        select(Allocation.id).where(Allocation.team_id == Team.id, Allocation.holds_on(day))
    )


def attention(
    park: Park, today: date, applicants_total: int, *, calendar: bool = False
) -> Attention:
    """The park's items to act on, for its `today`: three statements; with `calendar`
    (those who keep the park's working calendar), whether next year is unknown to it."""
    applicants = db.session.scalars(
        select(Team)
        .where(Team.park_id == park.id, Team.status == TeamStatus.APPLICANT)
        .order_by(Team.status_since, Team.id)
        .limit(SHOWN)
    ).all()
    ending = [
        Ending(team_id, name, code, end)
        for team_id, name, code, end in db.session.execute(
            select(Team.id, Team.name_zh, Unit.code, Allocation.end)
            .join(Unit, Unit.id == Allocation.unit_id)
            .join(Team, Team.id == Allocation.team_id)
            .where(Unit.park_id == park.id, _ends_soon(today))
            .order_by(Allocation.end, Unit.code)
        )
    ]
    without_space = db.session.scalar(
        select(func.count())
        .select_from(Team)
        .where(Team.park_id == park.id, Team.status == TeamStatus.RESIDENT, ~_holds_on(today))
    )
    return Attention(
        applicants=list(applicants),
        applicants_total=applicants_total,
        ending=ending[:SHOWN],
        ending_total=len(ending),
        without_space=int(without_space or 0),
        unknown_year=unknown_next_year(calendar_of(park), today) if calendar else None,
    )


# --- the team list's filter: teams whose allocation ends soon ----------------------------


def _ending_choices(_park_ids: list[int]) -> dict[str, str]:
    return {str(ENDING_WITHIN_DAYS): str(_l("In the next %(n)d days", n=ENDING_WITHIN_DAYS))}


def _ending(stmt: Select[Any], _value: str, day: date) -> Select[Any]:
    soon = select(Allocation.id).where(Allocation.team_id == Team.id, _ends_soon(day))
    return stmt.where(exists(soon))


def register() -> None:
    """The team list's "allocation ends" filter, where the dashboard's count links to."""
    add_facet([Filter("ending", _l("Allocation ends"), _ending_choices, _ending)])
