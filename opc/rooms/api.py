"""/api/v1/rooms: thin; opc.rooms.operations holds the rules (the bookings' routes are
opc.rooms.api_bookings).

Staff make a unit of the park bookable (`POST /rooms {"unit_id", …terms}`) and change its
terms (`PATCH /rooms/{id}`). A room's bookings in a period (`GET /rooms/{id}/bookings
?from=&to=`, park-local days, `to` inclusive) show another team's booking as taken only.
Instants are ISO 8601 with their offset, answered in the park's timezone; money in yuan.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from pydantic import Field, create_model
from sqlalchemy import select

from opc.api.pagination import paged, paged_items
from opc.api.routing import endpoint
from opc.api.schemas import Id, In, IsoDate, Out, Patch, decimal_text, whole
from opc.core.errors import ValidationFailed
from opc.core.money import yuan_str
from opc.core.permissions import get_or_404
from opc.extensions import db
from opc.parks.models import Park
from opc.rooms import queries
from opc.rooms.models import BookableBy, Booking, Room
from opc.rooms.operations import rooms as room_ops
from opc.rooms.permissions import can_manage_rooms, can_view_booking, can_view_room

Rate = decimal_text(room_ops.MAX_RATE_YUAN)
MAX_SPAN_DAYS = 62  # the longest period one list of a room's bookings covers


class RoomTerms(In):
    opens_minute: whole(0, room_ops.DAY_MINUTES - room_ops.MIN_SLOT) = Field(  # type: ignore[valid-type]
        description="minutes from midnight, park time"
    )
    closes_minute: whole(room_ops.MIN_SLOT, room_ops.DAY_MINUTES) = Field(  # type: ignore[valid-type]
        description="a whole number of slots after the opening"
    )
    weekdays: whole(1, 127) = Field(127, description="a bit per day, Monday = 1")  # type: ignore[valid-type]
    slot_minutes: whole(room_ops.MIN_SLOT, room_ops.MAX_SLOT) = 30  # type: ignore[valid-type]
    bookable_by: BookableBy = BookableBy.RESIDENTS
    free_hours_per_month: whole(0, room_ops.MAX_FREE_HOURS) = 0  # type: ignore[valid-type]
    rate_yuan_per_hour: Rate | None = Field(  # type: ignore[valid-type]
        None, description="beyond the free hours; null: no booking beyond them"
    )
    active: bool = True


class RoomIn(RoomTerms):
    unit_id: Id  # type: ignore[valid-type]


class RoomPatch(Patch):
    nullable = frozenset({"rate_yuan_per_hour"})

    opens_minute: whole(0, room_ops.DAY_MINUTES - room_ops.MIN_SLOT) | None = None  # type: ignore[valid-type]
    closes_minute: whole(room_ops.MIN_SLOT, room_ops.DAY_MINUTES) | None = None  # type: ignore[valid-type]
    weekdays: whole(1, 127) | None = None  # type: ignore[valid-type]
    slot_minutes: whole(room_ops.MIN_SLOT, room_ops.MAX_SLOT) | None = None  # type: ignore[valid-type]
    bookable_by: BookableBy | None = None
    free_hours_per_month: whole(0, room_ops.MAX_FREE_HOURS) | None = None  # type: ignore[valid-type]
    rate_yuan_per_hour: Rate | None = None  # type: ignore[valid-type]
    active: bool | None = None


class RoomOut(Out):
    id: int
    unit_id: int
    park_id: int
    code: str = Field(description="the unit's code")
    opens_minute: int
    closes_minute: int
    weekdays: int
    slot_minutes: int
    bookable_by: BookableBy
    free_hours_per_month: int
    rate_yuan_per_hour: str | None
    active: bool


class RoomQuery(In):
    park_id: Id | None = None  # type: ignore[valid-type]


class SlotOut(Out):
    starts_at: datetime
    ends_at: datetime
    booking_id: int | None = Field(description="null: another team's booking (taken)")
    team_id: int | None
    event_id: int | None
    title: str


PERIOD = {
    "from": (IsoDate | None, Field(None, description="first park-local day (default today)")),
    "to": (IsoDate | None, Field(None, description="last day, inclusive (default a week on)")),
}
PeriodQuery = create_model("PeriodQuery", __base__=In, **PERIOD)  # type: ignore[call-overload]


def park_zone(park_id: int) -> str:
    return db.session.scalar(select(Park.timezone).where(Park.id == park_id)) or "UTC"


def _room(room: Room) -> dict[str, Any]:
    rate = room.rate_fen_per_hour
    return {
        "id": room.id,
        "unit_id": room.unit_id,
        "park_id": room.park_id,
        "code": room.unit.code,
        "opens_minute": room.opens_minute,
        "closes_minute": room.closes_minute,
        "weekdays": room.weekdays,
        "slot_minutes": room.slot_minutes,
        "bookable_by": room.bookable_by,
        "free_hours_per_month": room.free_hours_per_month,
        "rate_yuan_per_hour": None if rate is None else yuan_str(rate),
        "active": room.active,
    }


def PERIOD_of(query: Any, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[from, to + 1 day) of park-local days as instants (422 when reversed or too long)."""
    first: date | None = getattr(query, "from")
    last: date | None = query.to
    first = first or datetime.now(tz).date()
    last = last or first + timedelta(days=6)
    if last < first:
        raise ValidationFailed({"to": [_("The last day is before the first.")]})
    if (last - first).days >= MAX_SPAN_DAYS:
        raise ValidationFailed({"to": [_("At most %(n)d days at once.", n=MAX_SPAN_DAYS)]})
    start = datetime.combine(first, time(0), tz)
    return start, datetime.combine(last + timedelta(days=1), time(0), tz)


@endpoint(
    "/rooms", scope="rooms:read", allow=can_view_room, query=RoomQuery, response=RoomOut, paged=True
)
def list_rooms(user: Any, query: RoomQuery) -> dict[str, Any]:
    """The rooms the caller sees: staff their parks', members their park's."""
    return paged(queries.rooms_stmt(user, query.park_id), _room)


@endpoint(
    "/rooms",
    methods=("POST",),
    scope="rooms:write",
    allow=can_manage_rooms,
    body=RoomIn,
    response=RoomOut,
    status=201,
)
def create_room(user: Any, body: RoomIn) -> dict[str, Any]:
    """Make a unit of the park bookable with its terms (or set them again)."""
    room = room_ops.set_room(actor=user, **body.model_dump())
    return _room(get_or_404(Room, room.id, user))


@endpoint(
    "/rooms/<int:room_id>",
    methods=("PATCH",),
    scope="rooms:write",
    allow=can_manage_rooms,
    body=RoomPatch,
    response=RoomOut,
)
def change_room(user: Any, room_id: int, body: RoomPatch) -> dict[str, Any]:
    """Change some of a room's terms."""
    room = get_or_404(Room, room_id, user, "rooms.manage")
    room_ops.change_room(room.id, actor=user, **body.model_dump(exclude_unset=True))
    db.session.expire_all()
    return _room(get_or_404(Room, room_id, user))


@endpoint("/rooms/<int:room_id>", scope="rooms:read", allow=can_view_room, response=RoomOut)
def get_room(user: Any, room_id: int) -> dict[str, Any]:
    """One room and its terms."""
    return _room(get_or_404(Room, room_id, user))


@endpoint(
    "/rooms/<int:room_id>/bookings",
    scope="rooms:read",
    allow=can_view_room,
    query=PeriodQuery,
    response=SlotOut,
    paged=True,
)
def room_bookings(user: Any, room_id: int, query: Any) -> dict[str, Any]:
    """The room's confirmed bookings in the period; another team's shows as taken only."""
    room = get_or_404(Room, room_id, user)
    tz = ZoneInfo(park_zone(room.park_id))
    start, end = PERIOD_of(query, tz)
    found = queries.confirmed_between([room.unit_id], start, end)

    def slot(b: Booking) -> dict[str, Any]:
        shown = can_view_booking(user, b)
        return {
            "starts_at": b.starts_at.astimezone(tz).isoformat(),
            "ends_at": b.ends_at.astimezone(tz).isoformat(),
            "booking_id": b.id if shown else None,
            "team_id": b.team_id if shown else None,
            "event_id": b.event_id,
            "title": b.title if shown or b.event_id else "",
        }

    return paged_items(found, slot)
