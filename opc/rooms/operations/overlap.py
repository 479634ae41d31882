"""The overlap rule, checked in the writing transaction before the database's own check
(the exclusion constraint or trigger of migration 0020), so that the refusal names the
booking in the way."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from opc.core.dates import format_datetime, format_time
from opc.core.errors import RuleViolation
from opc.rooms.models import Booking, BookingStatus


def conflicting(
    session: Session,
    unit_id: int,
    starts_at: datetime,
    ends_at: datetime,
    *,
    excluding: int | None = None,
) -> Booking | None:
    """The first confirmed booking of the unit that shares a moment with [starts_at, ends_at)."""
    stmt = (
        select(Booking)
        .where(
            Booking.unit_id == unit_id,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.starts_at < ends_at,
            Booking.ends_at > starts_at,
        )
        .order_by(Booking.starts_at)
        .limit(1)
    )
    if excluding is not None:
        stmt = stmt.where(Booking.id != excluding)
    return session.scalars(stmt).first()


def room_taken(booking: Booking, tz: Any) -> RuleViolation:
    """409 `room_taken`, naming the conflicting booking's time in the park's timezone."""
    start, end = booking.starts_at.astimezone(tz), booking.ends_at.astimezone(tz)
    zone = str(tz)
    return RuleViolation(
        "room_taken",
        _(
            "The room is booked from %(start)s to %(end)s.",
            start=format_datetime(start, zone),
            end=format_time(end, zone)
            if end.date() == start.date()
            else format_datetime(end, zone),
        ),
        conflict={
            "booking_id": booking.id,
            "starts_at": start.isoformat(),
            "ends_at": end.isoformat(),
            "event_id": booking.event_id,
        },
    )


def check_free(
    session: Session,
    unit_id: int,
    starts_at: datetime,
    ends_at: datetime,
    tz: Any,
    *,
    excluding: int | None = None,
) -> None:
    """Refuse with `room_taken` when another confirmed booking holds part of the time."""
    other = conflicting(session, unit_id, starts_at, ends_at, excluding=excluding)
    if other is not None:
        raise room_taken(other, tz)
