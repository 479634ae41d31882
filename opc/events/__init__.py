"""Events: forums, workshops, roadshows and demo days with registration, a fair waitlist,
QR check-in, attendance and calendars."""

from __future__ import annotations

from flask import Flask

from opc.events import models, permissions
from opc.events.labels import (
    event_kind_label,
    event_status_label,
    registration_status_label,
    waitlist_mode_label,
)

# Models map and rules register when imported.
__all__ = ["models", "permissions"]


def init_app(app: Flask) -> None:
    """Each part of events registers its pages, API routes, labels and audit kinds here."""
    app.add_template_filter(event_kind_label, "event_kind")
    app.add_template_filter(event_status_label, "event_status")
    app.add_template_filter(registration_status_label, "registration_status")
    app.add_template_filter(waitlist_mode_label, "waitlist_mode")
