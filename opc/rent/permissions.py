"""Who may see and change rent: admins configure policies; staff of the team's park grant
and approve waivers; members see their own team's waivers and the park's policies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, select

from opc.core.permissions import Role, rule, visibility
from opc.parks.models import Park
from opc.parks.permissions import staff_of, staff_park_ids
from opc.rent.models import Policy, Statement, Waiver
from opc.teams.models import Team
from opc.teams.permissions import is_member_of


@rule("rent_policies.manage")
def can_manage_policies(_user: Any, _of: Any = None) -> bool:
    """Create and change a park's policies: admins only (they configure the parks)."""
    return False


@rule("rent_policies.view")
def can_view_policy(user: Any, policy: Any = None) -> bool:
    """Staff of the policy's park; members of a team in that park (what they may claim)."""
    if policy is None:
        return user.role in (Role.STAFF, Role.MEMBER)
    if user.role == Role.MEMBER:
        return user.team is not None and user.team.park_id == policy.park_id
    return staff_of(user, policy.park_id)


@rule("rent_waivers.manage")
def can_manage_waivers(user: Any, of: Any = None) -> bool:
    """Propose, approve and reject waivers: staff of the park of `of` (a team, a waiver or a
    park); with nothing, whether staff at all."""
    if of is None:
        return user.role == Role.STAFF
    return staff_of(user, of.park_id if hasattr(of, "park_id") else of.id)


@rule("rent_waivers.view")
def can_view_waiver(user: Any, waiver: Any = None) -> bool:
    """Staff of the team's park, and the team's own members."""
    if waiver is None:
        return user.role in (Role.STAFF, Role.MEMBER)
    return staff_of(user, waiver.team.park_id) or is_member_of(user, waiver.team_id)


@visibility(Policy)
def _visible_policies(user: Any) -> ColumnElement[bool]:
    if user.role == Role.STAFF:
        return Policy.park_id.in_(staff_park_ids(user))
    if user.role == Role.MEMBER and user.team_id is not None:
        return Policy.park_id.in_(select(Team.park_id).where(Team.id == user.team_id))
    return false()


@visibility(Waiver)
def _visible_waivers(user: Any) -> ColumnElement[bool]:
    if user.role == Role.STAFF:
        parks = staff_park_ids(user)
        return Waiver.team_id.in_(select(Team.id).where(Team.park_id.in_(parks)))
    return Waiver.team_id == user.team_id if user.role == Role.MEMBER else false()


@rule("statements.issue")
def can_issue_statements(user: Any, park: Any = None) -> bool:
    """Issue a park's statements and record payments: its staff."""
    if park is None:
        return user.role == Role.STAFF
    return staff_of(user, park.id if isinstance(park, Park) else park.park_id)


@rule("statements.view")
def can_view_statements(user: Any, of: Any = None) -> bool:
    """A team's statements (`of` a team or a statement): staff of its park, its members."""
    if of is None:
        return user.role in (Role.STAFF, Role.MEMBER)
    team_id = of.id if isinstance(of, Team) else of.team_id
    return staff_of(user, of.park_id) or is_member_of(user, team_id)


@visibility(Statement)
def _visible_statements(user: Any) -> ColumnElement[bool]:
    if user.role == Role.STAFF:
        return Statement.park_id.in_(staff_park_ids(user))
    return Statement.team_id == user.team_id if user.role == Role.MEMBER else false()
