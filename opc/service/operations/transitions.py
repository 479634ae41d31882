"""The one way a service request changes state: allowed steps only, each dated and
attributed in its timeline (`ServiceEvent` of kind status).

    open → triaged → assigned → in_progress ⇄ waiting_on_team → resolved → closed | reopened
    (steps may be skipped forward: staff may assign or resolve an open request at once);
    reopened → assigned | in_progress | waiting_on_team | resolved

Callers lock the request (`opc.core.db.lock`) in their transaction first, so that of two
people acting at once the second gets 409 `invalid_transition` naming the state it found.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from opc.core.db import utcnow
from opc.core.errors import RuleViolation
from opc.service.labels import service_status_label
from opc.service.models import EventKind, ServiceEvent, ServiceRequest
from opc.service.models import Status as S

STEPS: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.TRIAGED, S.ASSIGNED, S.IN_PROGRESS, S.WAITING, S.RESOLVED}),
    S.TRIAGED: frozenset({S.ASSIGNED, S.IN_PROGRESS, S.WAITING, S.RESOLVED}),
    S.ASSIGNED: frozenset({S.IN_PROGRESS, S.WAITING, S.RESOLVED}),
    S.IN_PROGRESS: frozenset({S.WAITING, S.RESOLVED}),
    S.WAITING: frozenset({S.IN_PROGRESS, S.RESOLVED}),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset(),
    S.REOPENED: frozenset({S.ASSIGNED, S.IN_PROGRESS, S.WAITING, S.RESOLVED}),
}


def may_move(request: ServiceRequest, to: str) -> bool:
    return to in STEPS.get(request.status, frozenset())


def require_step(request: ServiceRequest, to: str) -> None:
    """409 `invalid_transition` unless the request may go from its state to `to`."""
    if not may_move(request, to):
        raise RuleViolation(
            "invalid_transition",
            _(
                "The request is %(status)s: it cannot become %(to)s.",
                status=service_status_label(request.status),
                to=service_status_label(to),
            ),
            conflict={"request_id": request.id, "status": request.status, "to": to},
        )


def move(request: ServiceRequest, to: str, *, actor: Any, note: str = "") -> ServiceEvent:
    """Take the step (checked) and record it in the request's timeline."""
    require_step(request, to)
    event = ServiceEvent(
        kind=EventKind.STATUS,
        from_status=request.status,
        to_status=to,
        body=note,
        at=utcnow(),
        by_id=getattr(actor, "id", None),
    )
    request.events.append(event)
    request.status = to
    return event
