"""Booking a shared room and cancelling a booking.

`book` checks, in this order, each refusal writing nothing: the values (422: an aware start
and end, the end after the start, both on the room's slot grid counted from its opening);
the room (422 when the unit is no bookable room the actor sees; 409 `room_inactive`; 403
when staff only may book it); the team (a member books for their own team only, 404 for
another; 409 `team_not_resident` unless the team is resident, and was on the day); the
time (409 `outside_opening_hours`: one park-local day, an open weekday, within the hours;
409 `booking_in_past`); the overlap (409 `room_taken` naming the booking in the way);
the team's monthly quota.

Locks: the Room row first (one writer per room: of two teams clicking the last slot one
books and the other reads the booking and is refused; the exclusion constraint or trigger
of migration 0020 is the backstop), then the Team row (its quota sum).

Quota: a team's confirmed bookings of the room in the park-local month of the start share
`free_hours_per_month`; the minutes of a booking beyond what is left are charged at
`rate_fen_per_hour`, rounded half-up to the fen per booking (minutes × rate ÷ 60); with no
rate such a booking is refused (409 `quota_exceeded`). A charge is fixed when booked: a
cancellation frees quota for later bookings but does not recompute the charges of
bookings made meanwhile (what a team was told it pays is what it pays).
"""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from opc.core.dates import date_problem
from opc.core.db import lock, retrying, transaction, utcnow
from opc.core.errors import NotFound, RuleViolation, ValidationFailed
from opc.core.permissions import Role, require_actor
from opc.core.values import is_id, text_problem
from opc.parks.models import Park
from opc.rent.compute import half_up
from opc.rooms.models import MAX_REASON, Booking, BookingStatus, Room
from opc.rooms.operations.overlap import check_free
from opc.rooms.permissions import (
    can_book,
    can_cancel_booking,
    can_view_booking,
    can_view_room,
)
from opc.rooms.queries import minutes_used
from opc.teams.models import Team, TeamStatus
from opc.teams.permissions import is_member_of
from opc.teams.rules import exit_dates, move_in_dates

MAX_TITLE = 200


def _text(errors: dict[str, list[str]], name: str, value: Any, limit: int) -> str:
    if not isinstance(value, str):
        errors[name] = [_("Must be text.")]
        return ""
    value = value.strip()
    problem = text_problem(value, multiline=name == "reason")
    if problem:
        errors[name] = [problem]
    elif len(value) > limit:
        errors[name] = [_("At most %(n)d characters.", n=limit)]
    return value


def _instant(errors: dict[str, list[str]], name: str, value: Any) -> datetime | None:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        errors[name] = [_("A date and time with its timezone.")]
        return None
    if problem := date_problem(value.astimezone(UTC).date()):
        errors[name] = [problem]
        return None
    return value


def _minute_of_day(moment: datetime, day: Any) -> int:
    """Minutes from the park-local midnight of `day` (1440 for the next midnight)."""
    return (moment.date() - day).days * 1440 + moment.hour * 60 + moment.minute


def _check_time(room: Room, start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """The slot grid (422) and the opening hours (409); the park-local month of the start."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    day = local_start.date()
    first, last = _minute_of_day(local_start, day), _minute_of_day(local_end, day)
    errors = {}
    for name, moment, minute in (("starts_at", local_start, first), ("ends_at", local_end, last)):
        if moment.second or moment.microsecond or (minute - room.opens_minute) % room.slot_minutes:
            errors[name] = [
                _(
                    "Bookings run in %(n)d-minute slots from %(opens)s.",
                    n=room.slot_minutes,
                    opens=clock(room.opens_minute),
                )
            ]
    if errors:
        raise ValidationFailed(errors)
    if not (
        room.open_on(day.weekday()) and room.opens_minute <= first and last <= room.closes_minute
    ):
        raise RuleViolation(
            "outside_opening_hours",
            _(
                "The room is open %(opens)s–%(closes)s on its days: book within one of them.",
                opens=clock(room.opens_minute),
                closes=clock(room.closes_minute),
            ),
            conflict={
                "opens": clock(room.opens_minute),
                "closes": clock(room.closes_minute),
                "weekdays": room.weekdays,
            },
        )
    return local_start.strftime("%Y-%m")


def clock(minute: int) -> str:
    """Minutes from midnight as HH:MM (24:00 for the end of the day)."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _team(session: Session, actor: Any, team_id: Any, room: Room) -> Team | None:
    """The booking's team, locked: a member's own only (404 for another); staff name any
    team of the park, or none (the park's own use)."""
    member = getattr(actor, "role", None) == Role.MEMBER
    if member and team_id is None:
        team_id = actor.team_id
    if team_id is None:
        return None
    if not is_id(team_id):
        raise ValidationFailed({"team_id": [_("No such team.")]})
    if member and not is_member_of(actor, team_id):
        raise NotFound("not_found", _("Not found."))
    team = lock(Team, team_id)
    if team is None or team.park_id != room.park_id:
        raise ValidationFailed({"team_id": [_("Not a team of the room's park.")]})
    return team


def _check_resident(session: Session, team: Team, start: datetime, tz: ZoneInfo) -> None:
    day = start.astimezone(tz).date()
    move_in = move_in_dates(session, [team.id]).get(team.id)
    left = exit_dates(session, [team.id]).get(team.id)
    if (
        team.status != TeamStatus.RESIDENT
        or (move_in is not None and day < move_in)
        or (left is not None and day >= left[0])
    ):
        raise RuleViolation(
            "team_not_resident",
            _("Only resident teams book rooms: %(team)s is not resident.", team=team.name_zh),
            conflict={"team_id": team.id, "status": team.status},
        )


def charge(room: Room, used: int, minutes: int) -> tuple[int, int]:
    """The minutes of a booking beyond the free quota left and their cost in fen (exact,
    half-up per booking); 409 `quota_exceeded` beyond it when the room has no rate."""
    left = max(0, room.free_hours_per_month * 60 - used)
    charged = max(0, minutes - left)
    if not charged:
        return 0, 0
    if room.rate_fen_per_hour is None:
        raise RuleViolation(
            "quota_exceeded",
            _(
                "The team has used %(used)s of its %(quota)d free hours this month, and the "
                "room has no rate beyond them.",
                used=hours(used),
                quota=room.free_hours_per_month,
            ),
            conflict={
                "used_hours": hours(used),
                "free_hours_per_month": room.free_hours_per_month,
                "requested_hours": hours(minutes),
            },
        )
    return charged, half_up(Fraction(charged * room.rate_fen_per_hour, 60))


def hours(minutes: int) -> str:
    """Minutes as hours for people: 210 -> "3.5", 600 -> "10"."""
    whole, rest = divmod(minutes, 60)
    return f"{whole}" if not rest else f"{minutes / 60:.2f}".rstrip("0")


@retrying
def book(
    *, actor: Any, unit_id: Any, team_id: Any, starts_at: Any, ends_at: Any, title: Any = ""
) -> Booking:
    """Book the room of `unit_id` for the team for [starts_at, ends_at) (the module's doc
    lists the rules, in order)."""
    errors: dict[str, list[str]] = {}
    start = _instant(errors, "starts_at", starts_at)
    end = _instant(errors, "ends_at", ends_at)
    title = _text(errors, "title", title, MAX_TITLE)
    if start is not None and end is not None and end <= start:
        errors["ends_at"] = [_("The end must be after the start.")]
    if errors:
        raise ValidationFailed(errors)
    assert start is not None and end is not None
    with transaction(actor) as session:
        room = (
            session.scalars(select(Room).where(Room.unit_id == unit_id)).first()
            if is_id(unit_id)
            else None
        )
        if room is None or (actor is not None and not can_view_room(actor, room)):
            raise ValidationFailed({"unit_id": [_("Not a bookable room of the park.")]})
        lock(Room, room.id)  # first: one writer per room
        park = session.get(Park, room.park_id)
        assert park is not None
        tz = ZoneInfo(park.timezone)
        month = _check_time(room, start, end, tz)
        if not room.active:
            raise RuleViolation(
                "room_inactive",
                _("The room is not open for booking."),
                conflict={"room_id": room.id},
            )
        require_actor(can_book, actor, room)
        team = _team(session, actor, team_id, room)
        if team is not None:
            _check_resident(session, team, start, tz)
        if start < utcnow():
            raise RuleViolation(
                "booking_in_past",
                _("The time has begun or passed: book a time to come."),
                conflict={"starts_at": start.astimezone(tz).isoformat()},
            )
        check_free(session, room.unit_id, start, end, tz)
        minutes = int((end - start).total_seconds()) // 60
        charged, fen = (0, 0)
        if team is not None:
            charged, fen = charge(
                room, minutes_used(session, team.id, month).get(room.unit_id, 0), minutes
            )
        booking = Booking(
            unit_id=room.unit_id,
            park_id=room.park_id,
            team_id=team.id if team is not None else None,
            starts_at=start,
            ends_at=end,
            month=month,
            title=title,
            status=BookingStatus.CONFIRMED,
            booked_by_id=getattr(actor, "id", None),
            charged_minutes=charged,
            charge_fen=fen,
            cancel_reason="",
        )
        session.add(booking)
        session.flush()
    return booking


@retrying
def cancel_booking(booking_id: Any, *, actor: Any, reason: Any = "") -> Booking:
    """Cancel a booking: its team's members (their own), the park's staff (any, giving a
    reason). A cancelled booking, one that has begun, or an event's (cancel the event)
    cannot be (409)."""
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, MAX_REASON)
    if errors:
        raise ValidationFailed(errors)
    with transaction(actor):
        booking = lock(Booking, booking_id) if is_id(booking_id) else None
        if booking is None or (actor is not None and not can_view_booking(actor, booking)):
            raise NotFound("not_found", _("Not found."))
        require_actor(can_cancel_booking, actor, booking)
        own = actor is not None and is_member_of(actor, booking.team_id)
        if not own and not reason:
            raise ValidationFailed({"reason": [_("Say why the booking is cancelled.")]})
        if booking.event_id is not None:
            raise RuleViolation(
                "booking_of_event",
                _("The room is held for an event: change or cancel the event instead."),
                conflict={"booking_id": booking.id, "event_id": booking.event_id},
            )
        if booking.status == BookingStatus.CANCELLED:
            raise RuleViolation(
                "booking_cancelled",
                _("The booking is cancelled already."),
                conflict={"booking_id": booking.id},
            )
        if booking.starts_at <= utcnow():
            raise RuleViolation(
                "booking_begun",
                _("The booking has begun or passed: it can no longer be cancelled."),
                conflict={"booking_id": booking.id},
            )
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = utcnow()
        booking.cancelled_by_id = getattr(actor, "id", None)
        booking.cancel_reason = reason
    return booking
