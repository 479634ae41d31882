"""What rooms put on the rent statements (opc.rent.charges): a `room` line for each
confirmed booking of the month charged beyond the team's free quota, its amount the charge
fixed when it was booked."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from opc.parks.models import Park
from opc.rent.compute import Line
from opc.rooms.models import Booking, BookingStatus
from opc.rooms.operations.bookings import hours
from opc.space.models import Unit


def room_lines(session: Session, park_id: int, first: date, end: date) -> dict[int, list[Line]]:
    """The park's teams' charged bookings of the months in [first, end), by team."""
    zone = session.scalar(select(Park.timezone).where(Park.id == park_id))
    if zone is None:
        return {}
    tz = ZoneInfo(zone)
    stmt = (
        select(Booking, Unit.code)
        .join(Unit, Unit.id == Booking.unit_id)
        .where(
            Booking.park_id == park_id,
            Booking.team_id.is_not(None),
            Booking.status == BookingStatus.CONFIRMED,
            Booking.charge_fen > 0,
            Booking.month >= first.strftime("%Y-%m"),
            Booking.month <= (end - timedelta(days=1)).strftime("%Y-%m"),
        )
        .order_by(Booking.starts_at, Booking.id)
    )
    lines: dict[int, list[Line]] = defaultdict(list)
    for booking, code in session.execute(stmt).tuples():
        start, stop = booking.starts_at.astimezone(tz), booking.ends_at.astimezone(tz)
        description = (
            f"{code} {start:%Y-%m-%d %H:%M}–{stop:%H:%M} ({hours(booking.charged_minutes)} h)"
        )
        assert booking.team_id is not None
        lines[booking.team_id].append(Line("room", booking.charge_fen, description))
    return lines
