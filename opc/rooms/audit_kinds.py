"""How the audit log shows rooms and bookings (opc.audit.registry): a room by its unit's
code, a booking by its room and time, with its status and who may book in words."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from opc.audit.registry import RecordKind, register
from opc.core.dates import format_datetime
from opc.rooms.labels import bookable_by_label, booking_status_label
from opc.rooms.models import Booking, Room


def _booking_name(booking: Any) -> str:
    return f"{booking.unit.code} · {format_datetime(booking.starts_at, 'UTC')} UTC"


def register_kinds() -> None:
    register(
        RecordKind(
            Room,
            _l("Shared room"),
            url=lambda r: url_for("rooms.week", room_id=r.id),
            name=lambda r: r.unit.code,
            load=(joinedload(Room.unit),),
            fields={
                "opens_minute": _l("Opens (minutes from midnight)"),
                "closes_minute": _l("Closes (minutes from midnight)"),
                "weekdays": _l("Open weekdays"),
                "slot_minutes": _l("Slot (minutes)"),
                "bookable_by": _l("Who may book"),
                "free_hours_per_month": _l("Free hours a month"),
                "rate_fen_per_hour": _l("Rate per hour beyond them (fen)"),
                "active": _l("Open for booking"),
            },
            values={"bookable_by": bookable_by_label},
        )
    )
    register(
        RecordKind(
            Booking,
            _l("Room booking"),
            name=_booking_name,
            load=(joinedload(Booking.unit),),
            fields={
                "starts_at": _l("Starts"),
                "ends_at": _l("Ends"),
                "charged_minutes": _l("Minutes beyond the free quota"),
                "charge_fen": _l("Charge (fen)"),
                "cancel_reason": _l("Reason for cancelling"),
            },
            values={"status": booking_status_label},
            hidden=frozenset({"month"}),
        )
    )
