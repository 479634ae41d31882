"""A team's member opens a service request; the park's staff triage, assign, comment (in
public or in an internal note), ask the team for information and resolve it. Every step is
one function that locks the request, checks who acts and what state it is in (409
`invalid_transition` through opc.service.operations.transitions), writes the timeline and
tells those concerned (opc.service.notify), in one transaction: a refusal writes nothing.

The first response is the first thing staff tell the team: a public comment, a question
or the resolution. It stops the first-response clock.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from opc.auth.models import User
from opc.core.db import retrying, transaction, utcnow
from opc.core.errors import Forbidden, RuleViolation, ValidationFailed
from opc.core.permissions import Role, require_actor
from opc.core.values import is_id
from opc.parks.models import staff_parks
from opc.parks.workdays import UnknownYear, add_working_minutes, calendar_of
from opc.service import notify
from opc.service.models import (
    ACTIVE,
    MAX_TITLE,
    EventKind,
    ServiceEvent,
    ServiceRequest,
    Status,
)
from opc.service.operations.common import (
    Errors,
    category_value,
    locked,
    refuse,
    start_waiting,
    stop_waiting,
    text_value,
)
from opc.service.operations.transitions import move, require_step
from opc.service.permissions import can_handle_request, can_open_request, can_view_request
from opc.service.settings import targets
from opc.service.sla import resolution_elapsed
from opc.teams.models import Team

# States from which staff's first public word starts the work.
NOT_STARTED = frozenset({Status.OPEN, Status.TRIAGED, Status.ASSIGNED, Status.REOPENED})


def _event(request: ServiceRequest, kind: str, actor: Any, body: str = "", **kw: Any) -> None:
    request.events.append(
        ServiceEvent(kind=kind, body=body, at=utcnow(), by_id=getattr(actor, "id", None), **kw)
    )


def _responded(request: ServiceRequest) -> None:
    if request.first_responded_at is None:
        request.first_responded_at = utcnow()


@retrying
def open_request(
    *, actor: Any, team_id: Any, category: Any, title: Any, description: Any = ""
) -> ServiceRequest:
    """Open a request of a team (one of its members): due instants from the park's SLA
    targets for the category, in working minutes from now (409 `calendar_year_unknown`
    when the park's calendar cannot count them)."""
    errors: Errors = {}
    category = category_value(errors, category)
    title = text_value(errors, "title", title, MAX_TITLE, required=True)
    description = text_value(errors, "description", description)
    refuse(errors)
    with transaction(actor) as session:
        team = session.get(Team, team_id) if is_id(team_id) else None
        if team is None:
            raise ValidationFailed({"team_id": [_("No such team.")]})
        require_actor(can_open_request, actor, team)
        response, resolution = targets(team.park_id, category)
        now = utcnow()
        calendar = calendar_of(team.park)
        request = ServiceRequest(
            park_id=team.park_id,
            team_id=team.id,
            category=category,
            title=title,
            description=description,
            status=Status.OPEN,
            opened_by_id=getattr(actor, "id", None),
            response_minutes=response,
            resolution_minutes=resolution,
            first_response_due=add_working_minutes(calendar, now, response),
            resolution_due=add_working_minutes(calendar, now, resolution),
            clock_from=now,
            waited_minutes=0,
            created_at=now,
        )
        _event(request, EventKind.STATUS, actor, to_status=Status.OPEN)
        session.add(request)
        session.flush()
        notify.tell_handlers(session, request, notify.OPENED)
    return request


@retrying
def triage(request_id: Any, *, actor: Any, category: Any) -> ServiceRequest:
    """Set the request's category (staff of its park); an open request becomes triaged.
    The SLA targets stay those it was opened with."""
    errors: Errors = {}
    category = category_value(errors, category)
    refuse(errors)
    with transaction(actor):
        request = locked(request_id, actor, can_handle_request)
        if request.status not in ACTIVE:
            require_step(request, Status.TRIAGED)
        request.category = category
        _event(request, EventKind.TRIAGED, actor, category)
        if request.status == Status.OPEN:
            move(request, Status.TRIAGED, actor=actor)
    return request


def _staff_of_park(session: Any, user_id: Any, park_id: int) -> User | None:
    stmt = (
        select(User)
        .join(staff_parks, staff_parks.c.user_id == User.id)
        .where(
            User.id == user_id,
            staff_parks.c.park_id == park_id,
            User.role == Role.STAFF,
            User.is_active.is_(True),
        )
    )
    return session.scalars(stmt).first() if is_id(user_id) else None


@retrying
def assign(request_id: Any, *, actor: Any, assignee_id: Any) -> ServiceRequest:
    """Give the request to one of the park's staff (422 for anyone else); an open, triaged
    or reopened request becomes assigned. The assignee is told."""
    with transaction(actor) as session:
        request = locked(request_id, actor, can_handle_request)
        assignee = _staff_of_park(session, assignee_id, request.park_id)
        if assignee is None:
            raise ValidationFailed({"assignee_id": [_("Not one of the park's staff.")]})
        if request.status not in ACTIVE:
            require_step(request, Status.ASSIGNED)
        request.assignee_id = assignee.id
        _event(request, EventKind.ASSIGNED, actor, assignee.name)
        if request.status in (Status.OPEN, Status.TRIAGED, Status.REOPENED):
            move(request, Status.ASSIGNED, actor=actor)
        session.flush()
        if assignee.id != getattr(actor, "id", None):
            notify.tell_user(session, request, assignee.id, notify.ASSIGNED)
    return request


@retrying
def comment(request_id: Any, *, actor: Any, body: Any, internal: bool = False) -> ServiceRequest:
    """Write on the request's timeline. Staff: in public (the team is told; the first one
    starts the work) or as an internal note (only staff ever see it, nobody is told). The
    team: its answer, which ends a wait on it (the clock runs again)."""
    errors: Errors = {}
    body = text_value(errors, "body", body, required=True)
    refuse(errors)
    with transaction(actor) as session:
        request = locked(request_id, actor, can_view_request)
        staff = actor is None or can_handle_request(actor, request)
        if internal and not staff:
            raise Forbidden("forbidden", _("Only the park's staff write internal notes."))
        if request.status == Status.CLOSED:
            raise RuleViolation(
                "request_closed",
                _("The request is closed: open a new one."),
                conflict={"request_id": request.id, "status": request.status},
            )
        if internal:
            _event(request, EventKind.NOTE, actor, body, internal=True)
            return request
        _event(request, EventKind.COMMENT, actor, body)
        if staff:
            _responded(request)
            if request.status in NOT_STARTED:
                move(request, Status.IN_PROGRESS, actor=actor)
            session.flush()
            notify.tell_team(session, request, notify.COMMENTED, text=body)
        else:
            if request.status == Status.WAITING:
                stop_waiting(request, utcnow())
                move(request, Status.IN_PROGRESS, actor=actor)
            session.flush()
            notify.tell_handlers(session, request, notify.ANSWERED, text=body)
    return request


@retrying
def ask_team(request_id: Any, *, actor: Any, question: Any) -> ServiceRequest:
    """Ask the team for information (staff): the request waits on the team and its
    resolution clock stands still until the team answers."""
    errors: Errors = {}
    question = text_value(errors, "question", question, required=True)
    refuse(errors)
    with transaction(actor) as session:
        request = locked(request_id, actor, can_handle_request)
        move(request, Status.WAITING, actor=actor, note=question)
        _responded(request)
        start_waiting(request, utcnow())
        session.flush()
        notify.tell_team(session, request, notify.WAITING, text=question)
    return request


def _stop_waiting_to_resolve(request: ServiceRequest, now: Any) -> None:
    """End a wait on the team before resolving. When the calendar cannot count the wait or
    the due instant it pushes on (a year it does not know), resolving is not refused: the
    clock stood still during the wait, so the request is late only if its target ran out
    before the wait began (its due instant is then that start at the latest); otherwise it
    is resolved in time and keeps no due instant."""
    waiting = request.waiting_since is not None
    try:
        stop_waiting(request, now)
    except UnknownYear:
        if not waiting:
            raise
        if request.waiting_since is None:
            # The wait was counted; only the due instant it pushes on lies in the unknown
            # year, so after now: resolved in time.
            request.resolution_due = None
            return
        elapsed = resolution_elapsed(calendar_of(request.park), request, now)
        late = elapsed > request.resolution_minutes
        request.resolution_due = request.waiting_since if late else None
        request.waiting_since = None


@retrying
def resolve(request_id: Any, *, actor: Any, note: Any = "") -> ServiceRequest:
    """Resolve the request (staff), saying how; the team confirms or reopens it."""
    errors: Errors = {}
    note = text_value(errors, "note", note)
    refuse(errors)
    with transaction(actor) as session:
        request = locked(request_id, actor, can_handle_request)
        require_step(request, Status.RESOLVED)
        now = utcnow()
        _stop_waiting_to_resolve(request, now)
        move(request, Status.RESOLVED, actor=actor, note=note)
        _responded(request)
        request.resolved_at = now
        session.flush()
        notify.tell_team(session, request, notify.RESOLVED, text=note)
    return request
