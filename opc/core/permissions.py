"""Who may see and do what: decided here and nowhere else.

`can(user, action, obj)` answers one question; `visible(user, model)` narrows a query to
what the user may see; `get_or_404` loads a record or answers 404 when it is missing *or*
not visible, so that ids do not leak.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, false, select, true

from opc.core.errors import Forbidden, NotFound
from opc.extensions import db

ADMIN, STAFF, REVIEWER, MEMBER, PROVIDER = "admin", "staff", "reviewer", "member", "provider"

Rule = Callable[[Any, Any], bool]
_rules: dict[str, Rule] = {}
_visibility: dict[type, Callable[[Any], ColumnElement[bool]]] = {}


def rule(action: str) -> Callable[[Rule], Rule]:
    """Register the predicate that decides `action`; domains add theirs at import."""

    def register(fn: Rule) -> Rule:
        _rules[action] = fn
        return fn

    return register


def visibility(model: type) -> Callable[[Callable[[Any], ColumnElement[bool]]], Any]:
    """Register the SQL filter that narrows `model` to what a user may see."""

    def register(fn: Callable[[Any], ColumnElement[bool]]) -> Any:
        _visibility[model] = fn
        return fn

    return register


def is_user(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def can(user: Any, action: str, obj: Any = None) -> bool:
    """Whether `user` may do `action` (on `obj`). Admins may do everything."""
    if not is_user(user) or not user.is_active:
        return False
    if user.role == ADMIN:
        return True
    check = _rules.get(action)
    if check is None:
        raise KeyError(f"no permission rule for {action!r}")
    return bool(check(user, obj))


def visible(user: Any, model: type) -> ColumnElement[bool]:
    """A WHERE clause that keeps only the rows of `model` that `user` may see."""
    if not is_user(user) or not user.is_active:
        return false()
    if user.role == ADMIN:
        return true()
    return _visibility[model](user)


def get_or_404(model: type, ident: Any, user: Any, action: str | None = None) -> Any:
    """Load a record the user may see, else NotFound; with `action`, Forbidden when not allowed."""
    try:
        ident = int(ident)
    except (TypeError, ValueError):
        ident = None
    obj = db.session.get(model, ident) if ident is not None else None
    view_action = f"{model.__tablename__}.view"  # type: ignore[attr-defined]
    if obj is None or not can(user, view_action, obj):
        raise NotFound("not_found", _("Not found."))
    if action and not can(user, action, obj):
        raise Forbidden("forbidden", _("You may not do this."))
    return obj


def require(user: Any, action: str, obj: Any = None) -> None:
    """Raise Forbidden unless `user` may do `action`."""
    if not can(user, action, obj):
        raise Forbidden("forbidden", _("You may not do this."))


def staff_of(user: Any, park_id: int | None) -> bool:
    """Staff who work for this park."""
    return user.role == STAFF and park_id in user.park_ids


# --- the rules -------------------------------------------------------------------------
# Admins pass every check in can(); below is everyone else. Reviewers see only the fund
# applications assigned to them; providers only push usage. Members see their own team.


def _team_park_id(user: Any) -> int | None:
    return user.team.park_id if user.role == MEMBER and user.team is not None else None


@rule("users.manage")
@rule("parks.manage")
@rule("audit.view")
def _admin_only(user: Any, obj: Any) -> bool:
    return False


@rule("users.view")
def _self(user: Any, obj: Any) -> bool:
    return obj is not None and obj.id == user.id


@rule("parks.view")
def _park_view(user: Any, park: Any) -> bool:
    if park is None:
        return user.role in (STAFF, MEMBER)
    return staff_of(user, park.id) or _team_park_id(user) == park.id


@rule("teams.view")
def _team_view(user: Any, team: Any) -> bool:
    if team is None:
        return user.role in (STAFF, MEMBER)
    return staff_of(user, team.park_id) or (user.role == MEMBER and user.team_id == team.id)


@rule("teams.manage")
@rule("units.manage")
@rule("allocations.manage")
def _park_staff(user: Any, obj: Any) -> bool:
    if obj is None:
        return user.role == STAFF
    return staff_of(user, getattr(obj, "park_id", None))


@rule("teams.edit_profile")
def _team_edit(user: Any, team: Any) -> bool:
    return staff_of(user, team.park_id) or (user.role == MEMBER and user.team_id == team.id)


@rule("units.view")
def _unit_view(user: Any, unit: Any) -> bool:
    if unit is None:
        return user.role == STAFF
    return staff_of(user, unit.park_id)


@rule("space.view")
@rule("space.manage")
def _park_space(user: Any, park: Any) -> bool:
    """A park's space as a whole (units, occupancy, floor view): its staff only."""
    if park is None:
        return user.role == STAFF
    return staff_of(user, park.id)


@rule("allocations.view")
def _allocation_view(user: Any, allocation: Any) -> bool:
    if allocation is None:
        return user.role in (STAFF, MEMBER)
    return staff_of(user, allocation.unit.park_id) or (
        user.role == MEMBER and user.team_id == allocation.team_id
    )


def register_visibility() -> None:
    """SQL filters per model (imported late: models import this module's package)."""
    from opc.parks.models import Park
    from opc.space.models import Allocation, Unit
    from opc.teams.models import Team

    @visibility(Park)
    def _parks(user: Any) -> ColumnElement[bool]:
        if user.role == STAFF:
            return Park.id.in_(user.park_ids)
        park_id = _team_park_id(user)
        return Park.id == park_id if park_id is not None else false()

    @visibility(Team)
    def _teams(user: Any) -> ColumnElement[bool]:
        if user.role == STAFF:
            return Team.park_id.in_(user.park_ids)
        return Team.id == user.team_id if user.role == MEMBER else false()

    @visibility(Unit)
    def _units(user: Any) -> ColumnElement[bool]:
        return Unit.park_id.in_(user.park_ids) if user.role == STAFF else false()

    @visibility(Allocation)
    def _allocations(user: Any) -> ColumnElement[bool]:
        if user.role == STAFF:
            # IN (subquery), not a correlated EXISTS: evaluated once, not once per row.
            return Allocation.unit_id.in_(select(Unit.id).where(Unit.park_id.in_(user.park_ids)))
        return Allocation.team_id == user.team_id if user.role == MEMBER else false()
