"""The team's side after a resolution: confirm it (closed), reopen it within the park's
days (409 `reopen_window_passed` after them; the resolution clock starts again), and rate
the service 1–5 with a comment, once, after resolution (409 `not_resolved`,
`already_rated`; 422 outside 1–5). Only the team's members (opc.service.permissions)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import gettext as _

from opc.core.db import retrying, transaction, utcnow
from opc.core.errors import RuleViolation, ValidationFailed
from opc.service import notify
from opc.service.models import DONE, EventKind, ServiceEvent, ServiceRequest, Status
from opc.service.operations.common import Errors, locked, refuse, resolution_due, text_value
from opc.service.operations.transitions import move, require_step
from opc.service.permissions import can_open_request
from opc.service.settings import reopen_days


@retrying
def confirm(request_id: Any, *, actor: Any) -> ServiceRequest:
    """The team confirms the resolution: the request is closed."""
    with transaction(actor):
        request = locked(request_id, actor, can_open_request)
        move(request, Status.CLOSED, actor=actor)
        request.closed_at = utcnow()
    return request


@retrying
def reopen(request_id: Any, *, actor: Any, reason: Any = "") -> ServiceRequest:
    """The team reopens a resolved request, saying why; the resolution clock starts anew."""
    errors: Errors = {}
    reason = text_value(errors, "reason", reason)
    refuse(errors)
    with transaction(actor) as session:
        request = locked(request_id, actor, can_open_request)
        require_step(request, Status.REOPENED)
        now = utcnow()
        days = reopen_days(request.park_id)
        if request.resolved_at is not None and now > request.resolved_at + timedelta(days=days):
            raise RuleViolation(
                "reopen_window_passed",
                _(
                    "A request may be reopened within %(days)d days of its resolution: "
                    "open a new one.",
                    days=days,
                ),
                conflict={"request_id": request.id, "resolved_at": request.resolved_at.isoformat()},
            )
        move(request, Status.REOPENED, actor=actor, note=reason)
        request.resolved_at = None
        request.clock_from = now
        request.waited_minutes = 0
        request.resolution_due = resolution_due(request)
        session.flush()
        notify.tell_handlers(session, request, notify.REOPENED, text=reason)
    return request


def rating_value(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ValidationFailed({"rating": [_("A rating is a whole number from 1 to 5.")]})
    return value


@retrying
def rate(request_id: Any, *, actor: Any, rating: Any, comment: Any = "") -> ServiceRequest:
    """The team rates the service of a resolved (or closed) request, once."""
    errors: Errors = {}
    try:
        rating = rating_value(rating)
    except ValidationFailed as err:
        errors.update(err.fields)
    comment = text_value(errors, "comment", comment)
    refuse(errors)
    with transaction(actor):
        request = locked(request_id, actor, can_open_request)
        if request.status not in DONE:
            raise RuleViolation(
                "not_resolved",
                _("A request is rated once it is resolved."),
                conflict={"request_id": request.id, "status": request.status},
            )
        if request.rating is not None:
            raise RuleViolation(
                "already_rated",
                _("The request was rated already."),
                conflict={"request_id": request.id, "rating": request.rating},
            )
        now = utcnow()
        request.rating, request.rating_comment, request.rated_at = rating, comment, now
        request.events.append(
            ServiceEvent(
                kind=EventKind.RATED,
                body=comment,
                at=now,
                by_id=getattr(actor, "id", None),
            )
        )
    return request
