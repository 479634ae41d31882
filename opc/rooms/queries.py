"""Read models of rooms and bookings for the pages and the API: a park's rooms with whether
each is free now (and until when) and its next free slot, a room's bookings in a period,
a team's bookings and what it used of its free hours this month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from opc.core.permissions import visible
from opc.core.sorting import Sort, Sorting
from opc.extensions import db
from opc.rooms.models import Booking, BookingStatus, Room
from opc.space.models import Unit

# How far ahead "the next free slot" looks.
LOOKAHEAD_DAYS = 14


def rooms_stmt(user: Any, park_id: int | None = None) -> Select[Any]:
    """The rooms the user sees (of one park), by unit code."""
    stmt = (
        select(Room)
        .join(Unit, Unit.id == Room.unit_id)
        .where(visible(user, Room))
        .options(joinedload(Room.unit))
        .order_by(Room.park_id, Unit.code)
    )
    if park_id is not None:
        stmt = stmt.where(Room.park_id == park_id)
    return stmt


def confirmed_between(unit_ids: list[int], start: datetime, end: datetime) -> list[Booking]:
    """Confirmed bookings of the units that share a moment with [start, end), by start."""
    if not unit_ids:
        return []
    stmt = (
        select(Booking)
        .where(
            Booking.unit_id.in_(unit_ids),
            Booking.status == BookingStatus.CONFIRMED,
            Booking.starts_at < end,
            Booking.ends_at > start,
        )
        .options(joinedload(Booking.team))
        .order_by(Booking.starts_at, Booking.id)
    )
    return list(db.session.scalars(stmt))


def slots_of_day(room: Room, day: date, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The room's slots on a park-local day (none on a closed weekday), as UTC instants."""
    if not room.open_on(day.weekday()):
        return []
    midnight = datetime.combine(day, time(0), tz)
    return [
        (
            (midnight + timedelta(minutes=m)).astimezone(ZoneInfo("UTC")),
            (midnight + timedelta(minutes=m + room.slot_minutes)).astimezone(ZoneInfo("UTC")),
        )
        for m in range(room.opens_minute, room.closes_minute, room.slot_minutes)
    ]


@dataclass
class Availability:
    room: Room
    free_now: bool
    free_until: datetime | None  # free now: until the next booking or closing
    next_free: datetime | None  # the start of the next free slot (None: none ahead)


def _taken(bookings: list[Booking], start: datetime, end: datetime) -> Booking | None:
    return next((b for b in bookings if b.starts_at < end and b.ends_at > start), None)


def availability(rooms: list[Room], now: datetime, tz: ZoneInfo) -> list[Availability]:
    """Whether each room is free now and until when, and its next free slot (one query)."""
    today = now.astimezone(tz).date()
    horizon = now + timedelta(days=LOOKAHEAD_DAYS + 1)
    found = confirmed_between([r.unit_id for r in rooms], now - timedelta(days=1), horizon)
    out = []
    for room in rooms:
        bookings = [b for b in found if b.unit_id == room.unit_id]
        slots = [
            s
            for n in range(LOOKAHEAD_DAYS + 1)
            for s in slots_of_day(room, today + timedelta(days=n), tz)
            if s[1] > now
        ]
        free = [s for s in slots if _taken(bookings, *s) is None] if room.active else []
        current = next((s for s in free if s[0] <= now < s[1]), None)
        until = None
        if current is not None:
            until = current[1]
            for start, end in free[free.index(current) + 1 :]:
                if start != until:
                    break
                until = end
        upcoming = next((s[0] for s in free if s[0] > now), None)
        out.append(Availability(room, current is not None, until, upcoming))
    return out


# The rooms a list shows, by their own qualities (Availability rows, sorted in Python).
ROOMS = Sorting(
    {
        "room": lambda a: a.room.unit.code,
        "now": lambda a: not a.free_now,  # free ones first
        "next_free": lambda a: a.next_free,
        "free_hours": lambda a: a.room.free_hours_per_month,
        "rate": lambda a: a.room.rate_fen_per_hour,  # none: last
    },
    default="room",
    tiebreak=lambda a: a.room.id,
    first_desc=frozenset({"free_hours"}),
)

# A team's bookings, upcoming and past alike.
BOOKINGS = Sorting(
    {
        "room": select(Unit.code).where(Unit.id == Booking.unit_id).scalar_subquery(),
        "from": Booking.starts_at,
        "to": Booking.ends_at,
        "title": func.nullif(Booking.title, ""),  # untitled: last
        "status": Booking.status,
        "charge": Booking.charge_fen,
    },
    default="from",
    tiebreak=Booking.id,
    first_desc=frozenset({"charge"}),
)


def upcoming_bookings(team_id: int, now: datetime, sort: Sort | None = None) -> Select[Any]:
    """A team's confirmed bookings not yet over, in `sort`'s order (the soonest first)."""
    return (
        select(Booking)
        .where(
            Booking.team_id == team_id,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.ends_at > now,
        )
        .options(joinedload(Booking.unit))
        .order_by(*(sort or BOOKINGS.chosen({})).order_by())
    )


def past_bookings(team_id: int, now: datetime, sort: Sort | None = None) -> Select[Any]:
    """A team's past and cancelled bookings, in `sort`'s order (the latest first)."""
    order = sort.order_by() if sort else [Booking.starts_at.desc(), Booking.id.desc()]
    return (
        select(Booking)
        .where(
            Booking.team_id == team_id,
            (Booking.status == BookingStatus.CANCELLED) | (Booking.ends_at <= now),
        )
        .options(joinedload(Booking.unit))
        .order_by(*order)
    )


def team_bookings(
    team_id: int, now: datetime, *, past: bool = True
) -> tuple[list[Booking], list[Booking]]:
    """A team's upcoming bookings (soonest first) and its past and cancelled ones (latest
    first, the last 100; none unless `past`)."""
    upcoming = list(db.session.scalars(upcoming_bookings(team_id, now)))
    if not past:
        return upcoming, []
    return upcoming, list(db.session.scalars(past_bookings(team_id, now).limit(100)))


def minutes_used(session: Session, team_id: int, month: str) -> dict[int, int]:
    """The team's confirmed booked minutes in the park-local month, by unit (its quota
    counts per room)."""
    rows = session.execute(
        select(Booking.unit_id, Booking.starts_at, Booking.ends_at).where(
            Booking.team_id == team_id,
            Booking.month == month,
            Booking.status == BookingStatus.CONFIRMED,
        )
    ).all()
    used: dict[int, int] = {}
    for unit_id, start, end in rows:
        used[unit_id] = used.get(unit_id, 0) + int((end - start).total_seconds()) // 60
    return used


@dataclass
class Cell:
    state: str  # closed, past, free, taken
    booking: Booking | None = None
    first: bool = False  # the booking's first slot (where its name shows)


@dataclass
class Week:
    days: list[date]
    times: list[int]  # the slots' starting minutes of the day
    cells: dict[tuple[int, int], Cell]  # (slot row, day column)


def week(room: Room, monday: date, tz: ZoneInfo, now: datetime) -> Week:
    """The room's slots for the seven days from `monday`: closed, past, free or taken (by
    which booking), one query."""
    days = [monday + timedelta(days=n) for n in range(7)]
    times = list(range(room.opens_minute, room.closes_minute, room.slot_minutes))
    start = datetime.combine(monday, time(0), tz)
    found = confirmed_between([room.unit_id], start, start + timedelta(days=8))
    cells: dict[tuple[int, int], Cell] = {}
    for col, day in enumerate(days):
        slots = slots_of_day(room, day, tz)
        for row in range(len(times)):
            if not slots:
                cells[row, col] = Cell("closed")
                continue
            slot_start, slot_end = slots[row]
            taken = _taken(found, slot_start, slot_end)
            if taken is not None:
                first = row == 0 or taken.starts_at >= slot_start
                cells[row, col] = Cell("taken", taken, first)
            elif slot_start < now:
                cells[row, col] = Cell("past")
            else:
                cells[row, col] = Cell("free")
    return Week(days, times, cells)
