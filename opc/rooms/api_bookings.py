"""/api/v1/bookings: thin; opc.rooms.operations.bookings holds the rules.

`POST /bookings {"unit_id", "team_id", "starts_at", "ends_at", "title"?}` → 201, or 409
`room_taken` naming the booking in the way (and `outside_opening_hours`, `booking_in_past`,
`quota_exceeded`, `team_not_resident`, `room_inactive`); `GET /bookings?team_id=&unit_id=
&from=&to=` (park-local days of the start); `POST /bookings/{id}/cancel {"reason"?}` (staff
give a reason). Instants are ISO 8601 with their offset, answered in the park's timezone.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field, create_model
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from opc.api.pagination import paged, paged_items
from opc.api.routing import endpoint
from opc.api.schemas import Id, In, Instant, Out
from opc.core.money import yuan_str
from opc.core.permissions import get_or_404, visible
from opc.extensions import db
from opc.parks.models import Park
from opc.rooms.api import PERIOD, park_zone
from opc.rooms.models import MAX_REASON, Booking
from opc.rooms.operations import bookings as ops
from opc.rooms.permissions import can_book, can_view_booking

DAY = timedelta(days=1)


class BookingIn(In):
    unit_id: Id  # type: ignore[valid-type]
    team_id: Id | None = Field(  # type: ignore[valid-type]
        None, description="a member's own team (the default); staff: any team of the park, or none"
    )
    starts_at: Instant
    ends_at: Instant
    title: str = Field("", max_length=ops.MAX_TITLE)


class CancelIn(In):
    multiline = frozenset({"reason"})

    reason: str = Field("", max_length=MAX_REASON, description="required of staff")


class BookingOut(Out):
    id: int
    unit_id: int
    park_id: int
    team_id: int | None
    event_id: int | None
    starts_at: datetime = Field(description="in the park's timezone")
    ends_at: datetime
    month: str
    title: str
    status: str
    booked_by_id: int | None
    charged_minutes: int = Field(description="minutes beyond the team's free quota")
    charge_yuan: str = Field(description="what they cost, on the month's rent statement")
    cancelled_at: datetime | None
    cancel_reason: str


BookingQuery = create_model(  # type: ignore[call-overload]
    "BookingQuery",
    __base__=In,
    team_id=(Id | None, None),  # type: ignore[operator]
    unit_id=(Id | None, None),  # type: ignore[operator]
    **PERIOD,
)


def _booking(booking: Booking, tz: str | None = None) -> dict[str, Any]:
    zone = ZoneInfo(tz or park_zone(booking.park_id))
    return {
        "id": booking.id,
        "unit_id": booking.unit_id,
        "park_id": booking.park_id,
        "team_id": booking.team_id,
        "event_id": booking.event_id,
        "starts_at": booking.starts_at.astimezone(zone).isoformat(),
        "ends_at": booking.ends_at.astimezone(zone).isoformat(),
        "month": booking.month,
        "title": booking.title,
        "status": booking.status,
        "booked_by_id": booking.booked_by_id,
        "charged_minutes": booking.charged_minutes,
        "charge_yuan": yuan_str(booking.charge_fen),
        "cancelled_at": (
            booking.cancelled_at.astimezone(zone).isoformat() if booking.cancelled_at else None
        ),
        "cancel_reason": booking.cancel_reason,
    }


@endpoint(
    "/bookings",
    methods=("POST",),
    scope="rooms:write",
    allow=can_book,
    body=BookingIn,
    response=BookingOut,
    status=201,
    errors=(409,),
)
def create_booking(user: Any, body: BookingIn) -> dict[str, Any]:
    """Book a room for [starts_at, ends_at): 409 room_taken naming the booking in the way,
    outside_opening_hours, booking_in_past, quota_exceeded, team_not_resident, room_inactive;
    422 off the slot grid or ending before it starts; 404 for another team."""
    booking = ops.book(actor=user, **body.model_dump())
    return _booking(booking)


@endpoint(
    "/bookings",
    scope="rooms:read",
    allow=can_view_booking,
    query=BookingQuery,
    response=BookingOut,
    paged=True,
)
def list_bookings(user: Any, query: Any) -> dict[str, Any]:
    """The bookings the caller sees (staff: their parks'; members: their team's), by start;
    `from`/`to` narrow them to the park-local days they start on."""
    stmt = select(Booking).where(visible(user, Booking)).options(joinedload(Booking.unit))
    if query.team_id is not None:
        stmt = stmt.where(Booking.team_id == query.team_id)
    if query.unit_id is not None:
        stmt = stmt.where(Booking.unit_id == query.unit_id)
    first, last = getattr(query, "from"), query.to
    if first is None and last is None:
        return paged(stmt.order_by(Booking.starts_at, Booking.id), _booking)
    # Park-local days: the database narrows by UTC with a day's margin, each booking's own
    # park's timezone decides.
    if first is not None:
        stmt = stmt.where(Booking.starts_at >= datetime.combine(first, time(0), UTC) - DAY)
    if last is not None:
        stmt = stmt.where(Booking.starts_at < datetime.combine(last, time(0), UTC) + 2 * DAY)
    zones = dict(db.session.execute(select(Park.id, Park.timezone)).tuples().all())
    found = []
    for booking in db.session.scalars(stmt.order_by(Booking.starts_at, Booking.id)):
        day = booking.starts_at.astimezone(ZoneInfo(zones[booking.park_id])).date()
        if (first is None or day >= first) and (last is None or day <= last):
            found.append(booking)
    return paged_items(found, lambda b: _booking(b, zones[b.park_id]))


@endpoint(
    "/bookings/<int:booking_id>", scope="rooms:read", allow=can_view_booking, response=BookingOut
)
def get_booking(user: Any, booking_id: int) -> dict[str, Any]:
    """One booking: its park's staff and its team's members; 404 for anyone else."""
    return _booking(get_or_404(Booking, booking_id, user))


@endpoint(
    "/bookings/<int:booking_id>/cancel",
    methods=("POST",),
    scope="rooms:write",
    allow=can_view_booking,
    body=CancelIn,
    response=BookingOut,
    errors=(409,),
)
def cancel_booking(user: Any, booking_id: int, body: CancelIn) -> dict[str, Any]:
    """Cancel a booking: a member their team's (404 for another's), staff any with a
    reason (422 without); 409 when cancelled already, begun, or an event's."""
    booking = ops.cancel_booking(booking_id, actor=user, reason=body.reason)
    return _booking(booking)
