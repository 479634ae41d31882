"""Who may see and do what: the machinery, with the rules in each domain's permissions.py.

A domain writes named predicates with `@rule("units.manage")`, e.g. `can_manage_units(user,
park)`, and calls them directly (operations require them of their actor); pages and
templates ask `can(user, "units.manage", obj)` by name. A domain above may grant more
under the same name (opc.teams lets members see their team's park): `can()` and
`visible()` allow what any registered rule allows. `visible(user, model)` narrows a
query to what the user may see; `get_or_404` loads a record or answers 404 when it is
missing *or* not visible, so that ids do not leak.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, false, or_, true

from opc.core.errors import Forbidden, NotFound
from opc.core.values import parse_id
from opc.extensions import db


class Role(StrEnum):
    """What a person (or machine) is to the deployment; `can()` lets admins do everything."""

    ADMIN = "admin"
    STAFF = "staff"
    REVIEWER = "reviewer"
    MEMBER = "member"
    PROVIDER = "provider"


Predicate = Callable[[Any, Any], bool]
_rules: dict[str, list[Predicate]] = {}
_visibility: dict[type, list[Callable[[Any], ColumnElement[bool]]]] = {}


def is_user(user: Any) -> bool:
    """A logged-in, active account (not the anonymous visitor)."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def rule(*actions: str) -> Callable[[Predicate], Predicate]:
    """Make `fn(user, obj)` a named predicate for `actions`: false for anonymous or inactive
    users, true for admins, else what `fn` decides. The result is callable directly."""

    def register(fn: Predicate) -> Predicate:
        @wraps(fn)
        def predicate(user: Any, obj: Any = None) -> bool:
            if not is_user(user):
                return False
            return user.role == Role.ADMIN or bool(fn(user, obj))

        for action in actions:
            _rules.setdefault(action, []).append(predicate)
        return predicate

    return register


def visibility(model: type) -> Callable[[Callable[[Any], ColumnElement[bool]]], Any]:
    """Register the SQL filter that narrows `model` to what a (non-admin) user may see."""

    def register(fn: Callable[[Any], ColumnElement[bool]]) -> Any:
        _visibility.setdefault(model, []).append(fn)
        return fn

    return register


def can(user: Any, action: str, obj: Any = None) -> bool:
    """Whether `user` may do `action` (on `obj`), by the rule registered under that name."""
    checks = _rules.get(action)
    if not checks:
        raise KeyError(f"no permission rule for {action!r}")
    return any(check(user, obj) for check in checks)


def visible(user: Any, model: type) -> ColumnElement[bool]:
    """A WHERE clause that keeps only the rows of `model` that `user` may see."""
    if not is_user(user):
        return false()
    if user.role == Role.ADMIN:
        return true()
    return or_(*(narrow(user) for narrow in _visibility[model]))


def get_visible(model: type, ident: Any, user: Any) -> Any:
    """The record when it exists and the user may see it (its `<table>.view` rule), else None."""
    ident = parse_id(ident)
    if ident is None:
        return None
    obj = db.session.get(model, ident)
    view_action = f"{model.__tablename__}.view"  # type: ignore[attr-defined]
    return obj if obj is not None and can(user, view_action, obj) else None


def get_or_404(model: type, ident: Any, user: Any, action: str | None = None) -> Any:
    """Load a record the user may see, else NotFound; with `action`, Forbidden when not allowed."""
    obj = get_visible(model, ident, user)
    if obj is None:
        raise NotFound("not_found", _("Not found."))
    if action:
        require(can(user, action, obj))
    return obj


def require(allowed: bool) -> None:
    """Raise Forbidden unless a predicate allowed it: `require(can_allocate(user, park))`."""
    if not allowed:
        raise Forbidden("forbidden", _("You may not do this."))


def require_actor(predicate: Predicate, actor: Any, obj: Any = None) -> None:
    """In an operation: the acting user must pass `predicate`; None is the system (CLI, jobs)."""
    if actor is not None:
        require(predicate(actor, obj))


@rule("admin")
def is_admin(user: Any, _obj: Any = None) -> bool:
    """Admins only (the wrapper lets them through)."""
    return False
