"""Making a unit of the park bookable and changing a room's terms (staff of its park): its
opening hours (minutes from midnight, park time), the weekdays it opens, the slot length,
who may book it, each team's free hours a month and the rate beyond them.

The bounds live here; the API's schemas and the forms state them from these constants. A
room closes on its slot grid (the closing minute is a whole number of slots after the
opening), so that every slot of the day is whole.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from opc.core.db import lock, retrying, transaction
from opc.core.errors import NotFound, ValidationFailed
from opc.core.money import MAX_YUAN, parse_yuan
from opc.core.permissions import require_actor
from opc.core.values import is_id, whole_number
from opc.rooms.models import ALL_WEEKDAYS, BookableBy, Room
from opc.rooms.permissions import can_manage_rooms, can_view_room
from opc.space.models import Unit

DAY_MINUTES = 24 * 60
MIN_SLOT, MAX_SLOT = 15, 480
MAX_FREE_HOURS = 744  # every hour of a 31-day month
MAX_RATE_YUAN = Decimal("99999.99")
assert MAX_RATE_YUAN <= MAX_YUAN

TERMS = (
    "opens_minute",
    "closes_minute",
    "weekdays",
    "slot_minutes",
    "bookable_by",
    "free_hours_per_month",
    "rate_yuan_per_hour",
    "active",
)


def _number(errors: dict[str, list[str]], name: str, value: Any, low: int, high: int) -> int:
    try:
        return whole_number(value, low, high)
    except ValueError as exc:
        errors[name] = [str(exc)]
        return low


def clean_terms(terms: dict[str, Any]) -> dict[str, Any]:
    """The room's terms checked (422 naming every bad one), as the columns keep them."""
    errors: dict[str, list[str]] = {}
    opens = _number(errors, "opens_minute", terms["opens_minute"], 0, DAY_MINUTES - MIN_SLOT)
    closes = _number(errors, "closes_minute", terms["closes_minute"], MIN_SLOT, DAY_MINUTES)
    weekdays = _number(errors, "weekdays", terms["weekdays"], 1, ALL_WEEKDAYS)
    slot = _number(errors, "slot_minutes", terms["slot_minutes"], MIN_SLOT, MAX_SLOT)
    free = _number(errors, "free_hours_per_month", terms["free_hours_per_month"], 0, MAX_FREE_HOURS)
    if not errors and closes <= opens:
        errors["closes_minute"] = [_("A room closes after it opens, within one day.")]
    elif not errors and (closes - opens) % slot:
        errors["closes_minute"] = [
            _("The room closes a whole number of %(n)d-minute slots after it opens.", n=slot)
        ]
    bookable_by = terms["bookable_by"]
    if bookable_by not in {b.value for b in BookableBy}:
        errors["bookable_by"] = [_("Who may book the room is not one of the known choices.")]
    rate = terms["rate_yuan_per_hour"]
    rate_fen = None
    if rate is not None and rate != "":
        try:
            rate_fen = parse_yuan(rate)
        except ValueError:
            rate_fen = -1
        if not 0 <= rate_fen <= parse_yuan(MAX_RATE_YUAN):
            errors["rate_yuan_per_hour"] = [
                _("An amount in yuan from 0 to %(max)s.", max=MAX_RATE_YUAN)
            ]
    active = terms["active"]
    if not isinstance(active, bool):
        errors["active"] = [_("Must be true or false.")]
    if errors:
        raise ValidationFailed(errors)
    return {
        "opens_minute": opens,
        "closes_minute": closes,
        "weekdays": weekdays,
        "slot_minutes": slot,
        "bookable_by": str(bookable_by),
        "free_hours_per_month": free,
        "rate_fen_per_hour": rate_fen,
        "active": active,
    }


@retrying
def set_room(
    *,
    actor: Any,
    unit_id: Any,
    opens_minute: Any,
    closes_minute: Any,
    weekdays: Any,
    slot_minutes: Any,
    bookable_by: Any,
    free_hours_per_month: Any,
    rate_yuan_per_hour: Any = None,
    active: Any = True,
) -> Room:
    """Make a unit of the park bookable, or change its room's terms (staff of its park). A
    rate of None: no booking beyond the free hours."""
    values = clean_terms(
        {
            "opens_minute": opens_minute,
            "closes_minute": closes_minute,
            "weekdays": weekdays,
            "slot_minutes": slot_minutes,
            "bookable_by": bookable_by,
            "free_hours_per_month": free_hours_per_month,
            "rate_yuan_per_hour": rate_yuan_per_hour,
            "active": active,
        }
    )
    with transaction(actor) as session:
        unit = lock(Unit, unit_id) if is_id(unit_id) else None
        if unit is None:
            raise ValidationFailed({"unit_id": [_("No such unit.")]})
        require_actor(can_manage_rooms, actor, unit)
        room = session.scalars(select(Room).where(Room.unit_id == unit.id)).first()
        if room is None:
            room = Room(unit_id=unit.id, park_id=unit.park_id)
            session.add(room)
        for name, value in values.items():
            setattr(room, name, value)
        session.flush()
    return room


def terms_of(room: Room) -> dict[str, Any]:
    """A room's terms as set_room takes them."""
    rate = room.rate_fen_per_hour
    return {
        "opens_minute": room.opens_minute,
        "closes_minute": room.closes_minute,
        "weekdays": room.weekdays,
        "slot_minutes": room.slot_minutes,
        "bookable_by": room.bookable_by,
        "free_hours_per_month": room.free_hours_per_month,
        "rate_yuan_per_hour": None if rate is None else Decimal(rate) / 100,
        "active": room.active,
    }


@retrying
def change_room(room_id: Any, *, actor: Any, **changes: Any) -> Room:
    """Change some of a room's terms (those named in `changes`, the rest kept)."""
    unknown = sorted(set(changes) - set(TERMS))
    if unknown:
        raise ValidationFailed({name: [_("Unknown field.")] for name in unknown})
    with transaction(actor):
        room = lock(Room, room_id) if is_id(room_id) else None
        if room is None or (actor is not None and not can_view_room(actor, room)):
            raise NotFound("not_found", _("Not found."))
        require_actor(can_manage_rooms, actor, room)
        return set_room(actor=actor, unit_id=room.unit_id, **{**terms_of(room), **changes})
