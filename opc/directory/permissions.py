"""Who may use the directory: staff of a park and the members of its residents (admitted
and resident teams) see its directory; a team's members and its park's staff edit its
profile and see its matches; staff introduce teams; either team or staff record how an
introduction turned out. Admins pass every rule (opc.core.permissions does that).

Rule names follow the tables where `get_or_404` looks them up (`<table>.view`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_

from opc.core.permissions import Role, is_user, rule, visibility
from opc.directory.models import LISTED, Introduction
from opc.parks.models import Park
from opc.parks.permissions import staff_of, staff_park_ids
from opc.teams.permissions import is_member_of


def resident_park(user: Any) -> int | None:
    """The park whose directory a member sees: their team's, while it is admitted or resident."""
    team = user.team if user.role == Role.MEMBER else None
    return team.park_id if team is not None and team.status in LISTED else None


def sees_hidden(user: Any) -> bool:
    """Staff and admins see hidden teams too (in the parks they see)."""
    return is_user(user) and user.role in (Role.ADMIN, Role.STAFF)


@rule("directory.view")
def can_use_directory(user: Any, park: Any = None) -> bool:
    """The park's directory: its staff and the members of its residents; with nothing,
    whether the user has a directory at all."""
    if park is None:
        return user.role == Role.STAFF or resident_park(user) is not None
    park_id = park.id if isinstance(park, Park) else park
    return staff_of(user, park_id) or resident_park(user) == park_id


@rule("skills.manage")
def can_manage_skills(_user: Any, _of: Any = None) -> bool:
    """Add skills to the shared list: admins only (the list is every park's)."""
    return False


@rule("directory.profile")
def can_edit_profile(user: Any, team: Any = None) -> bool:
    """A team's profile and matches: its members and its park's staff; with nothing,
    whether staff or a member at all."""
    if team is None:
        return user.role in (Role.STAFF, Role.MEMBER)
    return staff_of(user, team.park_id) or is_member_of(user, team.id)


@rule("introductions.manage")
def can_introduce(user: Any, of: Any = None) -> bool:
    """Introduce teams and see the park's synergy figures: staff of the park (of `of`, a
    park or an introduction); with nothing, whether staff at all."""
    if of is None:
        return user.role == Role.STAFF
    return staff_of(user, of.id if isinstance(of, Park) else of.park_id)


@rule("introductions.view", "introductions.outcome")
def can_view_introduction(user: Any, intro: Any = None) -> bool:
    """An introduction and its outcome: the park's staff and the members of either team."""
    if intro is None:
        return user.role in (Role.STAFF, Role.MEMBER)
    return staff_of(user, intro.park_id) or (
        user.role == Role.MEMBER and intro.involves(user.team_id)
    )


@visibility(Introduction)
def _visible_introductions(user: Any) -> ColumnElement[bool]:
    if user.role == Role.STAFF:
        return Introduction.park_id.in_(staff_park_ids(user))
    if user.role == Role.MEMBER and user.team_id is not None:
        return or_(Introduction.team_a_id == user.team_id, Introduction.team_b_id == user.team_id)
    return false()
