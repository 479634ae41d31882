"""Shared rooms: opening hours, slots, each team's free quota and the rate beyond it, and
bookings that never overlap (an event's venue is held by a booking too)."""

from __future__ import annotations

from flask import Flask

from opc.rent import charges
from opc.rooms import (
    api,  # /api/v1/rooms: routes register when imported
    api_bookings,  # /api/v1/bookings
    audit_kinds,
    models,
    permissions,
    views,
)
from opc.rooms.labels import bookable_by_label, booking_status_label
from opc.rooms.rent_lines import room_lines

# Models map, rules and API routes register when imported.
__all__ = ["api", "api_bookings", "models", "permissions"]


def init_app(app: Flask) -> None:
    """Each part of rooms registers its pages, API routes, labels and audit kinds here;
    the charges beyond the free quota go on the rent statements (opc.rent.charges)."""
    app.add_template_filter(bookable_by_label, "bookable_by")
    app.add_template_filter(booking_status_label, "booking_status")
    audit_kinds.register_kinds()
    charges.register(room_lines)
    views.register(app)
