"""What the service operations share: loading a request to change it, checking texts, the
SLA clocks' arithmetic when a request opens, waits and stops waiting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from opc.core.db import lock
from opc.core.errors import NotFound, ValidationFailed
from opc.core.permissions import require_actor
from opc.core.values import is_id, text_problem
from opc.parks.workdays import add_working_minutes, calendar_of, working_minutes
from opc.service.models import MAX_TEXT, Category, ServiceRequest
from opc.service.permissions import can_view_request

Errors = dict[str, list[str]]


def locked(request_id: Any, actor: Any, predicate: Callable[..., bool]) -> ServiceRequest:
    """The request, locked: 404 when it does not exist or the actor may not see it,
    Forbidden when the actor sees it but may not take this action."""
    request = lock(ServiceRequest, request_id) if is_id(request_id) else None
    if request is None or (actor is not None and not can_view_request(actor, request)):
        raise NotFound("not_found", _("Not found."))
    require_actor(predicate, actor, request)
    return request


def text_value(
    errors: Errors, name: str, value: Any, limit: int = MAX_TEXT, *, required: bool = False
) -> str:
    """`value` stripped, or an error under `name` (no text, too long, required and empty)."""
    if not isinstance(value, str):
        errors[name] = [_("Must be text.")]
        return ""
    value = value.strip()
    problem = text_problem(value, multiline=limit == MAX_TEXT)
    if problem:
        errors[name] = [problem]
    elif len(value) > limit:
        errors[name] = [_("At most %(n)d characters.", n=limit)]
    elif required and not value:
        errors[name] = [_("This field is required.")]
    return value


def category_value(errors: Errors, value: Any) -> str:
    if value not in {c.value for c in Category}:
        known = ", ".join(c.value for c in Category)
        errors["category"] = [_("Unknown category. Known: %(known)s.", known=known)]
        return ""
    return str(value)


def refuse(errors: Errors) -> None:
    if errors:
        raise ValidationFailed(errors)


def resolution_due(request: ServiceRequest) -> datetime:
    """When the resolution is due: its target in working minutes after `clock_from`, moved
    on by the working minutes waited on the team."""
    total = request.resolution_minutes + request.waited_minutes
    return add_working_minutes(calendar_of(request.park), request.clock_from, total)


def start_waiting(request: ServiceRequest, now: datetime) -> None:
    """The resolution clock stands still from now (its due instant is unknown meanwhile)."""
    request.waiting_since = now
    request.resolution_due = None


def stop_waiting(request: ServiceRequest, now: datetime) -> None:
    """The clock runs again: the working minutes waited push the due instant on."""
    if request.waiting_since is None:
        return
    waited = working_minutes(calendar_of(request.park), request.waiting_since, now)
    request.waited_minutes += max(0, waited)
    request.waiting_since = None
    request.resolution_due = resolution_due(request)
