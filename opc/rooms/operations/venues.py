"""An event held in a room of the park holds the room through a booking of its own
(`Booking.event_id`), so that a team's booking and an event never share the room either.
Called by the events' operations inside their transaction; staff's decision, so neither the
room's opening hours nor any quota apply, only the overlap rule."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from opc.core.db import lock, utcnow
from opc.core.errors import ValidationFailed
from opc.rooms.models import Booking, BookingStatus, Room
from opc.rooms.operations.overlap import check_free


def _held(session: Session, event_id: int) -> Booking | None:
    return session.scalars(
        select(Booking).where(
            Booking.event_id == event_id, Booking.status == BookingStatus.CONFIRMED
        )
    ).first()


def hold_for_event(session: Session, event: Any, park: Any, *, actor: Any) -> Booking | None:
    """Hold (or move) the event's room for [starts_at, ends_at): refuses `room_taken` naming
    the booking in the way; releases the room when the event has none (any more)."""
    held = _held(session, event.id)
    if event.venue_unit_id is None or event.status == "cancelled":
        if held is not None:
            _release(held, actor)
        return None
    room = session.scalars(
        select(Room).where(Room.unit_id == event.venue_unit_id, Room.park_id == park.id)
    ).first()
    if room is None:
        raise ValidationFailed({"venue_unit_id": [_("Not a bookable room of the park.")]})
    lock(Room, room.id)  # one writer per room: the refusal names the booking in the way
    tz = ZoneInfo(park.timezone)
    check_free(
        session,
        room.unit_id,
        event.starts_at,
        event.ends_at,
        tz,
        excluding=held.id if held is not None else None,
    )
    if held is not None and held.unit_id == room.unit_id:
        held.starts_at, held.ends_at = event.starts_at, event.ends_at
        held.month = event.starts_at.astimezone(tz).strftime("%Y-%m")
        held.title = event.title_zh
        return held
    if held is not None:
        _release(held, actor)
    booking = Booking(
        unit_id=room.unit_id,
        park_id=park.id,
        event_id=event.id,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        month=event.starts_at.astimezone(tz).strftime("%Y-%m"),
        title=event.title_zh,
        booked_by_id=getattr(actor, "id", None),
    )
    session.add(booking)
    session.flush()
    return booking


def release_for_event(session: Session, event_id: int, *, actor: Any) -> None:
    """Free the event's room (the event is cancelled or moves outside)."""
    held = _held(session, event_id)
    if held is not None:
        _release(held, actor)


def _release(booking: Booking, actor: Any) -> None:
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = utcnow()
    booking.cancelled_by_id = getattr(actor, "id", None)
    booking.cancel_reason = "event"
