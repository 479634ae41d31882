"""/api/v1/service-requests: thin; opc.service.operations holds the rules.

A member opens a request for their team (`POST /service-requests {"team_id", "category",
"title", "description"}` → 201 with `"status"` and `"first_response_due"`); staff of the
park triage, assign, comment, ask the team and resolve; the team answers, confirms, reopens
and rates. Lists and details carry each request's SLA state; the timeline shows internal
notes to the park's staff only. Anyone else gets 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from opc.api.pagination import paged_items
from opc.api.routing import endpoint
from opc.api.schemas import Id, In, Out
from opc.core.db import utcnow
from opc.core.permissions import get_or_404
from opc.service import queries as q
from opc.service.models import MAX_TEXT, MAX_TITLE, Category, ServiceRequest, Status
from opc.service.operations import requests as ops
from opc.service.operations import team as team_ops
from opc.service.permissions import can_handle_request, can_open_request, can_view_request
from opc.service.sla import STATES, Sla
from opc.teams.models import Team

SlaState = Literal["on_time", "due_soon", "breached", "unknown"]
assert set(STATES) == {"on_time", "due_soon", "breached", "unknown"}


class RequestIn(In):
    multiline = frozenset({"description"})

    team_id: Id  # type: ignore[valid-type]
    category: Category
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    description: str = Field("", max_length=MAX_TEXT)


class RequestQuery(In):
    park_id: Id | None = None  # type: ignore[valid-type]
    team_id: Id | None = None  # type: ignore[valid-type]
    status: Status | None = None
    category: Category | None = None
    sla: SlaState | None = Field(None, description="the SLA state now (working time)")


class CommentIn(In):
    multiline = frozenset({"body"})

    body: str = Field(min_length=1, max_length=MAX_TEXT)
    internal: bool = Field(
        False, description="an internal note: staff only, never shown to the team"
    )


class TriageIn(In):
    category: Category


class AssignIn(In):
    assignee_id: Id = Field(description="a staff member of the request's park")  # type: ignore[valid-type]


class WaitIn(In):
    multiline = frozenset({"question"})

    question: str = Field(min_length=1, max_length=MAX_TEXT, description="what the team is asked")


class ResolveIn(In):
    multiline = frozenset({"note"})

    note: str = Field("", max_length=MAX_TEXT, description="how it was resolved")


class ReopenIn(In):
    multiline = frozenset({"reason"})

    reason: str = Field("", max_length=MAX_TEXT)


class RateIn(In):
    multiline = frozenset({"comment"})

    rating: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=MAX_TEXT)


class ClockOut(Out):
    state: SlaState
    remaining_minutes: int | None = Field(
        description="working minutes left (negative: overdue); null once the clock stopped"
    )
    paused: bool = Field(description="the clock stands still while waiting on the team")


class SlaOut(Out):
    state: SlaState = Field(description="the worse of the two clocks")
    first_response: ClockOut
    resolution: ClockOut


class RequestOut(Out):
    id: int
    park_id: int
    team_id: int
    category: Category
    title: str
    description: str
    status: Status
    opened_by_id: int | None
    assignee_id: int | None
    first_response_due: datetime
    resolution_due: datetime | None = Field(description="null while waiting on the team")
    first_responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    waited_minutes: int = Field(description="working minutes waited on the team (this round)")
    rating: int | None
    rating_comment: str
    created_at: datetime
    sla: SlaOut


class EntryOut(Out):
    id: int
    kind: Literal["status", "comment", "note", "assigned", "triaged", "rated"]
    internal: bool
    from_status: str | None
    to_status: str | None
    body: str
    at: datetime
    by: str | None


class AttachmentOut(Out):
    id: int
    request_id: int
    filename: str
    kind: str
    size: int
    sha256: str
    created_at: datetime


class RequestDetailOut(RequestOut):
    timeline: list[EntryOut] = Field(description="internal entries only for the park's staff")
    attachments: list[AttachmentOut]


def _clock(clock: Any) -> dict[str, Any]:
    return {"state": clock.state, "remaining_minutes": clock.remaining, "paused": clock.paused}


def _summary(r: ServiceRequest, sla: Sla) -> dict[str, Any]:
    out = RequestOut.model_validate(
        {
            **{k: getattr(r, k) for k in RequestOut.model_fields if k != "sla"},
            "sla": {
                "state": sla.state,
                "first_response": _clock(sla.response),
                "resolution": _clock(sla.resolution),
            },
        }
    )
    return out.model_dump(mode="json")


def _detail(r: ServiceRequest, user: Any) -> dict[str, Any]:
    sla = q.sla_states([r], utcnow())[r.id]
    out = _summary(r, sla)
    out["timeline"] = [
        EntryOut.model_validate(e).model_dump(mode="json") for e in q.timeline(r, user)
    ]
    out["attachments"] = [AttachmentOut.model_validate(a) for a in r.attachments]
    return RequestDetailOut.model_validate(out).model_dump(mode="json")


def _reloaded(request_id: int, user: Any) -> dict[str, Any]:
    return _detail(get_or_404(ServiceRequest, request_id, user), user)


@endpoint(
    "/service-requests",
    methods=("POST",),
    scope="service:write",
    allow=can_open_request,
    body=RequestIn,
    response=RequestDetailOut,
    status=201,
    errors=(404,),
)
def create_request(user: Any, body: RequestIn) -> dict[str, Any]:
    """Open a request for the caller's team, due in the park's working minutes.

    409 calendar_year_unknown when the park's calendar lacks a year the due instants need.
    """
    team = get_or_404(Team, body.team_id, user)
    request = ops.open_request(
        actor=user,
        team_id=team.id,
        category=body.category.value,
        title=body.title,
        description=body.description,
    )
    return _reloaded(request.id, user)


@endpoint(
    "/service-requests",
    scope="service:read",
    allow=can_view_request,
    query=RequestQuery,
    response=RequestOut,
    paged=True,
)
def list_requests(user: Any, query: RequestQuery) -> dict[str, Any]:
    """The requests the caller may see, newest first, each with its SLA state."""
    filters = q.Filters(
        query.park_id,
        query.team_id,
        query.status.value if query.status else None,
        query.category.value if query.category else None,
        query.sla,
    )
    found, states = q.with_sla(user, filters, utcnow())
    return paged_items(found, lambda r: _summary(r, states[r.id]))


@endpoint(
    "/service-requests/<int:request_id>",
    scope="service:read",
    allow=can_view_request,
    response=RequestDetailOut,
)
def get_request(user: Any, request_id: int) -> dict[str, Any]:
    """One request with its SLA state and timeline."""
    return _reloaded(request_id, user)


def _action(rule: str, *, body: type[In] | None, allow: Any) -> Any:
    """Declare POST /service-requests/{id}/<rule>, answering the request's detail."""

    def decorate(fn: Any) -> Any:
        return endpoint(
            f"/service-requests/<int:request_id>/{rule}",
            methods=("POST",),
            scope="service:write",
            allow=allow,
            body=body,
            response=RequestDetailOut,
        )(fn)

    return decorate


@_action(
    "comments",
    body=CommentIn,
    allow=can_view_request,
)
def comment_request(user: Any, request_id: int, body: CommentIn) -> dict[str, Any]:
    """Write on the timeline: in public, or as an internal note (staff only).

    The team's comment answers a wait on it (the clock runs again); 403 for a member's
    internal note; 409 request_closed.
    """
    request = get_or_404(ServiceRequest, request_id, user)
    ops.comment(request.id, actor=user, body=body.body, internal=body.internal)
    return _reloaded(request_id, user)


@_action(
    "triage",
    body=TriageIn,
    allow=can_handle_request,
)
def triage_request(user: Any, request_id: int, body: TriageIn) -> dict[str, Any]:
    """Set the request's category; an open request becomes triaged (staff).

    409 invalid_transition once resolved.
    """
    request = get_or_404(ServiceRequest, request_id, user, "service_requests.handle")
    ops.triage(request.id, actor=user, category=body.category.value)
    return _reloaded(request_id, user)


@_action(
    "assign",
    body=AssignIn,
    allow=can_handle_request,
)
def assign_request(user: Any, request_id: int, body: AssignIn) -> dict[str, Any]:
    """Assign the request to a staff member of its park (staff).

    422 for anyone else; 409 invalid_transition once resolved.
    """
    request = get_or_404(ServiceRequest, request_id, user, "service_requests.handle")
    ops.assign(request.id, actor=user, assignee_id=body.assignee_id)
    return _reloaded(request_id, user)


@_action(
    "wait",
    body=WaitIn,
    allow=can_handle_request,
)
def wait_request(user: Any, request_id: int, body: WaitIn) -> dict[str, Any]:
    """Ask the team for information: the resolution clock pauses (staff).

    409 invalid_transition.
    """
    request = get_or_404(ServiceRequest, request_id, user, "service_requests.handle")
    ops.ask_team(request.id, actor=user, question=body.question)
    return _reloaded(request_id, user)


@_action(
    "resolve",
    body=ResolveIn,
    allow=can_handle_request,
)
def resolve_request(user: Any, request_id: int, body: ResolveIn) -> dict[str, Any]:
    """Resolve the request, saying how (staff).

    409 invalid_transition.
    """
    request = get_or_404(ServiceRequest, request_id, user, "service_requests.handle")
    ops.resolve(request.id, actor=user, note=body.note)
    return _reloaded(request_id, user)


@_action(
    "confirm",
    body=None,
    allow=can_open_request,
)
def confirm_request(user: Any, request_id: int) -> dict[str, Any]:
    """Confirm the resolution: the request is closed (the team).

    409 invalid_transition.
    """
    request = get_or_404(ServiceRequest, request_id, user, "service_requests.open")
    team_ops.confirm(request.id, actor=user)
    return _reloaded(request_id, user)


@_action(
    "reopen",
    body=ReopenIn,
    allow=can_open_request,
)
def reopen_request(user: Any, request_id: int, body: ReopenIn) -> dict[str, Any]:
    """Reopen a resolved request, saying why (the team).

    409 invalid_transition, reopen_window_passed.
    """
    request = get_or_404(ServiceRequest, request_id, user, "service_requests.open")
    team_ops.reopen(request.id, actor=user, reason=body.reason)
    return _reloaded(request_id, user)


@_action(
    "rate",
    body=RateIn,
    allow=can_open_request,
)
def rate_request(user: Any, request_id: int, body: RateIn) -> dict[str, Any]:
    """Rate the service 1–5 with a comment, once, after resolution (the team).

    409 not_resolved, already_rated; 422 outside 1–5.
    """
    request = get_or_404(ServiceRequest, request_id, user, "service_requests.open")
    team_ops.rate(request.id, actor=user, rating=body.rating, comment=body.comment)
    return _reloaded(request_id, user)
