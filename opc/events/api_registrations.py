"""/api/v1/events/{id}/registrations: thin; opc.events.operations.registrations holds the
rules (imported by opc.events.api, which registers these routes with its own).

`POST /events/{id}/registrations {"name", "email"}` → 201 with `"status"` `confirmed` or
`waitlisted`: a member's token registers the member themselves (name and e-mail from their
account); staff of the park register a guest. The registration's secret (the guest's
links) is never in a response: the registrant receives it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy import select

from opc.api.pagination import paged
from opc.api.routing import endpoint
from opc.api.schemas import Id, In, Out
from opc.api.schemas import email as email_address
from opc.core.dates import to_local
from opc.core.errors import NotFound
from opc.core.permissions import Role, get_or_404
from opc.events.models import Event, Registration, RegistrationStatus
from opc.events.operations import registrations as reg_ops
from opc.events.operations.registrations import MAX_NAME, MAX_ORGANISATION, MAX_PHONE
from opc.events.permissions import can_manage_events, can_register

Email = email_address(blank=True)


class RegistrationIn(In):
    name: str = Field("", max_length=MAX_NAME, description="a guest's (a member's: their own)")
    email: Email = Field("", description="a guest's (a member's: their own)")  # type: ignore[valid-type]
    organisation: str = Field("", max_length=MAX_ORGANISATION)
    phone: str = Field("", max_length=MAX_PHONE)
    team_id: Id | None = Field(None, description="staff: the guest's team of the park")  # type: ignore[valid-type]


class RegistrationQuery(In):
    status: RegistrationStatus | None = None


class RegistrationOut(Out):
    id: int
    event_id: int
    user_id: int | None
    team_id: int | None
    name: str
    organisation: str
    email: str
    phone: str
    status: RegistrationStatus
    queued_at: datetime = Field(description="its place in the line (then the id)")
    offer_expires_at: datetime | None
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    checked_in_at: datetime | None
    created_at: datetime


def _registration(registration: Registration, tz: str) -> dict[str, Any]:
    out = {k: getattr(registration, k) for k in RegistrationOut.model_fields}
    for key, value in out.items():
        if isinstance(value, datetime):
            out[key] = to_local(value, tz)
    return RegistrationOut.model_validate(out).model_dump(mode="json")


def _may_register(user: Any) -> bool:
    return can_register(user) or can_manage_events(user)


@endpoint(
    "/events/<int:event_id>/registrations",
    methods=("POST",),
    scope="events:write",
    allow=_may_register,
    body=RegistrationIn,
    response=RegistrationOut,
    status=201,
    errors=(404, 409),
)
def register(user: Any, event_id: int, body: RegistrationIn) -> dict[str, Any]:
    """Register: a member themselves, staff a guest; confirmed while places are left, else
    waitlisted. 409 already_registered, registration_closed, event_past."""
    values = body.model_dump()
    if user.role == Role.MEMBER:
        values["team_id"] = None  # a member registers for their own team
    registration = reg_ops.register(event_id, actor=user, **values)
    return _registration(registration, registration.event.park.timezone)


@endpoint(
    "/events/<int:event_id>/registrations",
    scope="events:read",
    allow=can_manage_events,
    query=RegistrationQuery,
    response=RegistrationOut,
    paged=True,
    errors=(404,),
)
def list_registrations(user: Any, event_id: int, query: RegistrationQuery) -> dict[str, Any]:
    """The event's registrations (staff of its park): the line's order (queued_at, then id)."""
    event = get_or_404(Event, event_id, user, "events.manage")
    stmt = (
        select(Registration)
        .where(Registration.event_id == event.id)
        .order_by(Registration.queued_at, Registration.id)
    )
    if query.status is not None:
        stmt = stmt.where(Registration.status == query.status.value)
    tz = event.park.timezone
    return paged(stmt, lambda r: _registration(r, tz))


def _own(user: Any, event_id: int, registration_id: int) -> Registration:
    registration = get_or_404(Registration, registration_id, user)
    if registration.event_id != event_id:
        raise NotFound("not_found", _("Not found."))  # not a registration of this event
    return registration


@endpoint(
    "/events/<int:event_id>/registrations/<int:registration_id>/cancel",
    methods=("POST",),
    scope="events:write",
    allow=_may_register,
    response=RegistrationOut,
    errors=(404, 409),
)
def cancel_registration(user: Any, event_id: int, registration_id: int) -> dict[str, Any]:
    """Cancel a registration (the member who made it, or staff of the park); a place it held
    goes to the next in line. 409 registration_ended, event_past."""
    _own(user, event_id, registration_id)
    registration = reg_ops.cancel_registration(registration_id, actor=user)
    return _registration(registration, registration.event.park.timezone)


@endpoint(
    "/events/<int:event_id>/registrations/<int:registration_id>/accept",
    methods=("POST",),
    scope="events:write",
    allow=_may_register,
    response=RegistrationOut,
    errors=(404, 409),
)
def accept_offer(user: Any, event_id: int, registration_id: int) -> dict[str, Any]:
    """Accept the place offered to a registration: confirmed. 409 offer_expired, no_offer."""
    _own(user, event_id, registration_id)
    registration = reg_ops.accept_offer(registration_id, actor=user)
    return _registration(registration, registration.event.park.timezone)
