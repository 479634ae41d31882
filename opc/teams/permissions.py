"""Who may see and change teams: staff of the team's park; members their own team."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, select

from opc.core.permissions import Role, rule, visibility
from opc.parks.models import Park
from opc.parks.permissions import staff_of, staff_park_ids
from opc.teams.models import Team


def is_member_of(user: Any, team_id: int | None) -> bool:
    """A member of this team."""
    return user.role == Role.MEMBER and team_id is not None and user.team_id == team_id


@rule("teams.manage")
def can_manage_teams(user: Any, of: Any = None) -> bool:
    """Add teams, move them through the lifecycle, invite members, import: staff of the park
    `of` (or of the team `of`'s park); with nothing, whether staff at all."""
    if of is None:
        return user.role == Role.STAFF
    return staff_of(user, of.id if isinstance(of, Park) else of.park_id)


@rule("teams.view")
def can_view_team(user: Any, team: Any = None) -> bool:
    """Staff of its park and its own members."""
    if team is None:
        return user.role in (Role.STAFF, Role.MEMBER)
    return staff_of(user, team.park_id) or is_member_of(user, team.id)


@rule("teams.edit_profile")
def can_edit_profile(user: Any, team: Any) -> bool:
    """Staff of its park, or a member of the team itself."""
    return staff_of(user, team.park_id) or is_member_of(user, team.id)


@rule("parks.view")
def can_view_own_park(user: Any, park: Any = None) -> bool:
    """Members see the park their team is in."""
    if user.role != Role.MEMBER or user.team is None:
        return False
    return park is None or user.team.park_id == park.id


@visibility(Team)
def _visible_teams(user: Any) -> ColumnElement[bool]:
    if user.role == Role.STAFF:
        return Team.park_id.in_(staff_park_ids(user))
    return Team.id == user.team_id if user.role == Role.MEMBER else false()


@visibility(Park)
def _members_park(user: Any) -> ColumnElement[bool]:
    if user.role != Role.MEMBER or user.team_id is None:
        return false()
    return Park.id.in_(select(Team.park_id).where(Team.id == user.team_id))
