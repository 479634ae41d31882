"""Who may see and change space: a park's staff; members see their own team's space."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, select

from opc.core.permissions import Role, rule, visibility
from opc.parks.permissions import staff_of, staff_park_ids
from opc.space.models import Allocation, Unit
from opc.teams.permissions import is_member_of


@rule("space.view", "space.manage")
def can_see_space(user: Any, park: Any = None) -> bool:
    """A park's space as a whole (units, occupancy, floor view): its staff only."""
    if park is None:
        return user.role == Role.STAFF
    return staff_of(user, park.id)


@rule("units.manage", "allocations.manage")
def can_allocate(user: Any, of: Any = None) -> bool:
    """Add and change units, allocate them, end and move allocations: staff of the park of
    `of` (a unit or a park); with nothing, whether staff at all."""
    if of is None:
        return user.role == Role.STAFF
    return staff_of(user, of.park_id if hasattr(of, "park_id") else of.id)


@rule("units.view")
def can_view_unit(user: Any, unit: Any = None) -> bool:
    if unit is None:
        return user.role == Role.STAFF
    return staff_of(user, unit.park_id)


@rule("allocations.view")
def can_view_allocation(user: Any, allocation: Any = None) -> bool:
    """Staff of the unit's park, and members of the team that holds it."""
    if allocation is None:
        return user.role in (Role.STAFF, Role.MEMBER)
    return staff_of(user, allocation.unit.park_id) or is_member_of(user, allocation.team_id)


@visibility(Unit)
def _visible_units(user: Any) -> ColumnElement[bool]:
    return Unit.park_id.in_(staff_park_ids(user)) if user.role == Role.STAFF else false()


@visibility(Allocation)
def _visible_allocations(user: Any) -> ColumnElement[bool]:
    if user.role == Role.STAFF:
        # IN (subquery), not a correlated EXISTS: evaluated once, not once per row.
        parks = staff_park_ids(user)
        return Allocation.unit_id.in_(select(Unit.id).where(Unit.park_id.in_(parks)))
    return Allocation.team_id == user.team_id if user.role == Role.MEMBER else false()
