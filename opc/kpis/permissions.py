"""Who may see and file KPI reports: a team's members read and file their own team's; staff
of the park read every team's of their parks, file for them (a correction the team asked
for) and remind the teams that owe one. Nobody else sees a report (404). Admins pass every
rule (opc.core.permissions does that).

A BI tool reads reports as a staff user of the park with a `reports:read` token: the token
narrows what the user may do to reading, the user's role decides which parks.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, select

from opc.core.permissions import Role, rule, visibility
from opc.kpis.models import KpiReport
from opc.parks.models import Park
from opc.parks.permissions import staff_of, staff_park_ids
from opc.teams.models import Team
from opc.teams.permissions import is_member_of


def _team_and_park(of: Any) -> tuple[int | None, int | None]:
    """The team and park of `of`: a report (through its team) or a team."""
    if isinstance(of, KpiReport):
        team = of.team
        return of.team_id, team.park_id if team is not None else None
    return of.id, of.park_id


@rule("kpi_reports.view")
def can_view_kpis(user: Any, of: Any = None) -> bool:
    """A team's reports (`of` a report or a team): staff of its park, its members; with
    nothing, either role."""
    if of is None:
        return user.role in (Role.STAFF, Role.MEMBER)
    team_id, park_id = _team_and_park(of)
    return staff_of(user, park_id) or is_member_of(user, team_id)


@rule("kpi_reports.file")
def can_file_kpis(user: Any, of: Any = None) -> bool:
    """File a team's report or a new version of it (`of` a team): its members, and staff of
    its park; with nothing, either role (members only of a team)."""
    if of is None:
        return user.role == Role.STAFF or (user.role == Role.MEMBER and user.team_id is not None)
    team_id, park_id = _team_and_park(of)
    return staff_of(user, park_id) or is_member_of(user, team_id)


@rule("kpi_reports.remind")
def can_remind_kpis(user: Any, of: Any = None) -> bool:
    """See which teams of a park owe their report and remind them (`of` a park): its staff;
    with nothing, whether staff at all."""
    if of is None:
        return user.role == Role.STAFF
    return staff_of(user, of.id if isinstance(of, Park) else getattr(of, "park_id", None))


@visibility(KpiReport)
def _visible_reports(user: Any) -> ColumnElement[bool]:
    if user.role == Role.STAFF:
        parks = staff_park_ids(user)
        return KpiReport.team_id.in_(select(Team.id).where(Team.park_id.in_(parks)))
    if user.role == Role.MEMBER and user.team_id is not None:
        return KpiReport.team_id == user.team_id
    return false()
