"""Shared rooms: opening hours, slots, each team's free quota and the rate beyond it, and
bookings that never overlap (an event's venue is held by a booking too)."""

from __future__ import annotations

from flask import Flask

from opc.rooms import models, permissions
from opc.rooms.labels import bookable_by_label, booking_status_label

# Models map and rules register when imported.
__all__ = ["models", "permissions"]


def init_app(app: Flask) -> None:
    """Each part of rooms registers its pages, API routes, labels and audit kinds here."""
    app.add_template_filter(bookable_by_label, "bookable_by")
    app.add_template_filter(booking_status_label, "booking_status")
