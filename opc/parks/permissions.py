"""Who may see and change parks: admins manage them; staff see the parks they work for.

(opc.teams adds that members see their team's park.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from opc.core.permissions import Role, rule, visibility
from opc.parks.models import Park


def staff_park_ids(user: Any) -> set[int]:
    """The parks a staff member works for (empty for everyone else)."""
    return {p.id for p in user.parks} if user.role == Role.STAFF else set()


def staff_of(user: Any, park_id: int | None) -> bool:
    """Staff who work for this park."""
    return user.role == Role.STAFF and park_id in staff_park_ids(user)


@rule("parks.manage")
def can_manage_parks(_user: Any, _park: Any = None) -> bool:
    """Create parks and change their area, cap and zone: admins only."""
    return False


@rule("parks.view")
def can_view_park(user: Any, park: Any = None) -> bool:
    """Staff of the park (with no park: whether they may see parks at all)."""
    if park is None:
        return user.role == Role.STAFF
    return staff_of(user, park.id)


@visibility(Park)
def _staff_parks(user: Any) -> ColumnElement[bool]:
    return Park.id.in_(staff_park_ids(user))
