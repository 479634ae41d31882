"""/api/v1: the events' calendars and check-in at the door (thin; the rules are in
opc.events.operations.checkin and the files in opc.events.calendars).

* `GET /events/{id}/ics` — one event as text/calendar: a public event for any caller, a
  residents-only one for those who may see it (404 otherwise);
* `GET /parks/{id}/events.ics` — the park's public events, for any caller with a token
  (calendars that subscribe without one use the page `/parks/{id}/events.ics`);
* `POST /events/{id}/check-ins {"token"} | {"registration_id"}` — 200 with the registration
  and `"already"` (true: checked in before, nothing new recorded); 409 `not_confirmed`,
  `wrong_event`, `checkin_closed`, `event_cancelled`; 422 `invalid_ticket`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response
from pydantic import Field

from opc.api.routing import endpoint
from opc.api.schemas import Id, In, Out
from opc.core.i18n import locale_code
from opc.events import calendars
from opc.events.models import RegistrationStatus
from opc.events.operations.checkin import check_in
from opc.events.permissions import can_manage_events, can_view_event
from opc.events.qr import MAX_TOKEN


class CheckInIn(In):
    token: str | None = Field(
        None, min_length=1, max_length=MAX_TOKEN, description="the ticket's code (its QR code)"
    )
    registration_id: Id | None = Field(  # type: ignore[valid-type]
        None, description="or the registration, picked from the list"
    )


class CheckInOut(Out):
    id: int
    event_id: int
    name: str
    organisation: str
    email: str
    team_id: int | None
    status: RegistrationStatus
    checked_in_at: datetime | None
    checked_in_by_id: int | None
    already: bool = Field(description="checked in before: this scan recorded nothing new")


@endpoint(
    "/events/<int:event_id>/ics",
    scope="events:read",
    allow=can_view_event,
    files=(calendars.MIME,),
    errors=(404,),
)
def event_ics(user: Any, event_id: int) -> Response:
    """One event as an iCalendar file (text/calendar), in the park's time zone."""
    event = calendars.event_for_calendar(event_id, user)
    locale = locale_code()
    body = calendars.calendar([event], locale=locale, name=event.title(locale))
    return calendars.ics_response(body, f"event-{event.id}.ics")


@endpoint(
    "/parks/<int:park_id>/events.ics",
    scope="events:read",
    files=(calendars.MIME,),
    errors=(404,),
)
def park_events_ics(user: Any, park_id: int) -> Response:
    """A park's public events as an iCalendar feed (text/calendar), from 90 days back on;
    cancelled ones marked STATUS:CANCELLED."""
    park, events = calendars.park_feed(park_id)
    locale = locale_code()
    return calendars.ics_response(
        calendars.calendar(events, locale=locale, name=park.display_name(locale))
    )


@endpoint(
    "/events/<int:event_id>/check-ins",
    methods=("POST",),
    scope="events:write",
    allow=can_manage_events,
    body=CheckInIn,
    response=CheckInOut,
    errors=(404, 409),
)
def check_in_registration(user: Any, body: CheckInIn, event_id: int) -> CheckInOut:
    """Check a confirmed registrant in by the ticket's code or the registration's id.

    A second check-in of the same registration records nothing and answers `already: true`
    with the first check-in's time."""
    registration, already = check_in(
        actor=user, event_id=event_id, token=body.token, registration_id=body.registration_id
    )
    return CheckInOut.model_validate(
        {
            **{k: getattr(registration, k) for k in CheckInOut.model_fields if k != "already"},
            "already": already,
        }
    )
