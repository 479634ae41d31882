"""/api/v1/events: thin; opc.events.operations holds the rules.

The contract's short form is taken as it is: `POST /events {"park_id", "title", "starts_at",
"ends_at", "capacity", "public"}` (`title` is the Chinese title, title_zh); the rest is
optional: `kind` (default `forum`, the most general of the kinds), `title_en`, descriptions,
a venue (`venue_unit_id`, a room of the park, or `venue_text`, an outside place), the
registration window (default: open now, close at the start), `waitlist_mode` (`auto` or
`offer`) and `offer_hours`. Instants are ISO 8601 with their offset, answered in the park's
timezone; `GET /events?from=&to=` takes the park's local dates.

Registrations' routes: opc.events.api_registrations (registered with these).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field, create_model
from sqlalchemy import func, select

from opc.api.pagination import paged
from opc.api.routing import endpoint
from opc.api.schemas import Id, In, Instant, IsoDate, Out, Patch, whole
from opc.core.dates import PARK_TZ, to_local
from opc.core.db import utcnow
from opc.core.permissions import get_or_404, visible
from opc.events import api_registrations  # its routes register when imported
from opc.events.models import (
    MAX_CAPACITY,
    MAX_TEXT,
    MAX_TITLE,
    Event,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
    WaitlistMode,
)
from opc.events.operations import events as ops
from opc.events.operations.events import MAX_OFFER_HOURS, MAX_VENUE_TEXT
from opc.events.permissions import can_manage_events, can_view_event
from opc.extensions import db
from opc.parks.models import Park

DEFAULT_KIND = EventKind.FORUM
__all__ = ["api_registrations"]


def _text(limit: int) -> Any:
    return Field(None, max_length=limit)


class EventTerms(In):
    """What POST and PATCH share (left out: the default, or unchanged)."""

    multiline = frozenset({"description_zh", "description_en"})
    title_en: str | None = _text(MAX_TITLE)
    description_zh: str | None = _text(MAX_TEXT)
    description_en: str | None = _text(MAX_TEXT)
    venue_unit_id: Id | None = Field(None, description="a bookable room of the park")  # type: ignore[valid-type]
    venue_text: str | None = Field(None, max_length=MAX_VENUE_TEXT, description="a place outside")
    registration_opens_at: Instant | None = None
    registration_closes_at: Instant | None = Field(None, description="by the event's end")
    public: bool | None = Field(None, description="false: the park's residents only")
    waitlist_mode: WaitlistMode | None = Field(
        None, description="auto: the next in line is confirmed; offer: offered until a deadline"
    )
    offer_hours: whole(1, MAX_OFFER_HOURS) | None = None  # type: ignore[valid-type]


class EventIn(EventTerms):
    park_id: Id  # type: ignore[valid-type]
    title: str | None = Field(None, min_length=1, max_length=MAX_TITLE, description="title_zh")
    title_zh: str | None = Field(None, min_length=1, max_length=MAX_TITLE)
    kind: EventKind = DEFAULT_KIND
    starts_at: Instant
    ends_at: Instant
    capacity: whole(1, MAX_CAPACITY)  # type: ignore[valid-type]


class EventPatch(EventTerms, Patch):
    nullable = frozenset({"venue_unit_id"})

    title: str | None = Field(None, min_length=1, max_length=MAX_TITLE, description="title_zh")
    title_zh: str | None = Field(None, min_length=1, max_length=MAX_TITLE)
    kind: EventKind | None = None
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    capacity: whole(1, MAX_CAPACITY) | None = None  # type: ignore[valid-type]


class CancelIn(In):
    multiline = frozenset({"reason"})

    reason: str = Field("", max_length=MAX_TEXT)


EventQuery = create_model(
    "EventQuery",
    __base__=In,
    park_id=(Id | None, None),  # type: ignore[operator]
    status=(EventStatus | None, None),
    **{
        "from": (IsoDate | None, Field(None, description="events ending on or after this day")),
        "to": (IsoDate | None, Field(None, description="events starting on or before this day")),
    },
)


class EventOut(Out):
    id: int
    park_id: int
    kind: EventKind
    title: str = Field(description="the Chinese title (title_zh)")
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    venue_unit_id: int | None
    venue_text: str
    starts_at: datetime = Field(description="in the park's timezone")
    ends_at: datetime
    capacity: int
    registration_opens_at: datetime
    registration_closes_at: datetime
    registration_open: bool = Field(description="open now")
    public: bool
    status: EventStatus
    waitlist_mode: WaitlistMode
    offer_hours: int
    confirmed_count: int
    offered_count: int = Field(description="places offered to the waitlist, held until accepted")
    places_left: int
    created_at: datetime


class EventDetailOut(EventOut):
    waitlisted_count: int


def _event(event: Event) -> dict[str, Any]:
    tz = event.park.timezone
    out = {k: getattr(event, k) for k in EventOut.model_fields if k in Event.__table__.c}
    for key, value in out.items():
        if isinstance(value, datetime):
            out[key] = to_local(value, tz)
    out["title"] = event.title_zh
    out["places_left"] = event.places_left
    out["registration_open"] = event.registration_open(utcnow())
    return EventOut.model_validate(out).model_dump(mode="json")


def _detail(event: Event) -> dict[str, Any]:
    waiting = db.session.scalar(
        select(func.count()).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
    )
    return {**_event(event), "waitlisted_count": waiting or 0}


def _values(body: EventTerms) -> dict[str, Any]:
    values = body.model_dump(exclude_unset=True, exclude={"park_id", "title"})
    if getattr(body, "title", None) is not None:
        values.setdefault("title_zh", body.title)  # type: ignore[attr-defined]
    return {
        k: (v.value if isinstance(v, WaitlistMode | EventKind) else v)
        for k, v in values.items()
        if v is not None or k == "venue_unit_id"
    }


@endpoint(
    "/events",
    methods=("POST",),
    scope="events:write",
    allow=can_manage_events,
    body=EventIn,
    response=EventDetailOut,
    status=201,
    errors=(404, 409),
)
def create_event(user: Any, body: EventIn) -> dict[str, Any]:
    """Create an event of a park (its staff).

    409 room_taken (naming the booking in the way); 422 end before start, a window that
    closes before it opens or after the end, a room and an outside place together.
    """
    park = get_or_404(Park, body.park_id, user, "events.manage")
    values = _values(body)
    values.setdefault("title_zh", "")
    values.setdefault("kind", DEFAULT_KIND.value)
    event = ops.create_event(actor=user, park_id=park.id, **values)
    return _detail(event)


@endpoint(
    "/events",
    scope="events:read",
    allow=can_view_event,
    query=EventQuery,
    response=EventOut,
    paged=True,
    errors=(404,),
)
def list_events(user: Any, query: Any) -> dict[str, Any]:
    """The events the caller may see (staff: their parks'; members: their park's), by start;
    `from`/`to` are the park's local days (the default park timezone without park_id)."""
    stmt = select(Event).where(visible(user, Event)).order_by(Event.starts_at, Event.id)
    tz = PARK_TZ
    if query.park_id is not None:
        park = get_or_404(Park, query.park_id, user)
        stmt = stmt.where(Event.park_id == park.id)
        tz = park.timezone
    if query.status is not None:
        stmt = stmt.where(Event.status == query.status.value)
    start, end = getattr(query, "from"), query.to
    if start is not None:
        stmt = stmt.where(Event.ends_at > datetime.combine(start, time(), ZoneInfo(tz)))
    if end is not None:
        day_after = datetime.combine(end + timedelta(days=1), time(), ZoneInfo(tz))
        stmt = stmt.where(Event.starts_at < day_after)
    return paged(stmt, _event)


@endpoint(
    "/events/<int:event_id>", scope="events:read", allow=can_view_event, response=EventDetailOut
)
def get_event(user: Any, event_id: int) -> dict[str, Any]:
    """One event: its terms, places taken and left, and how many wait in line."""
    return _detail(get_or_404(Event, event_id, user))


@endpoint(
    "/events/<int:event_id>",
    methods=("PATCH",),
    scope="events:write",
    allow=can_manage_events,
    body=EventPatch,
    response=EventDetailOut,
    errors=(409,),
)
def update_event(user: Any, event_id: int, body: EventPatch) -> dict[str, Any]:
    """Change an event (staff of its park); a higher capacity serves the waitlist.

    409 capacity_below_confirmed (naming the places taken), room_taken, event_cancelled.
    """
    get_or_404(Event, event_id, user, "events.manage")
    event = ops.update_event(event_id, actor=user, **_values(body))
    return _detail(event)


@endpoint(
    "/events/<int:event_id>/cancel",
    methods=("POST",),
    scope="events:write",
    allow=can_manage_events,
    body=CancelIn,
    response=EventDetailOut,
    errors=(409,),
)
def cancel_event(user: Any, event_id: int, body: CancelIn) -> dict[str, Any]:
    """Cancel an event (staff of its park): its room is freed, every live registration is
    cancelled and told. 409 event_cancelled, event_past."""
    get_or_404(Event, event_id, user, "events.manage")
    return _detail(ops.cancel_event(event_id, actor=user, reason=body.reason))
