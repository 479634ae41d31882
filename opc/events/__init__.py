"""Events: forums, workshops, roadshows and demo days with registration, a fair waitlist,
QR check-in, attendance and calendars."""

from __future__ import annotations

from flask import Flask

from opc.events import api as events_api  # /api/v1/events: routes register when imported
from opc.events import api_desk as desk_api  # its routes register when imported
from opc.events import audit_kinds as record_kinds  # how the audit log shows events
from opc.events import models, permissions
from opc.events import notify as registrant_notices
from opc.events import views_desk as desk_pages
from opc.events.labels import (
    event_kind_label,
    event_status_label,
    registration_status_label,
    waitlist_mode_label,
)

# Models map and rules register when imported.
__all__ = ["desk_api", "events_api", "models", "permissions"]


def init_app(app: Flask) -> None:
    """Each part of events registers its pages, API routes, labels and audit kinds here."""
    app.add_template_filter(event_kind_label, "event_kind")
    app.add_template_filter(event_status_label, "event_status")
    app.add_template_filter(registration_status_label, "registration_status")
    app.add_template_filter(waitlist_mode_label, "waitlist_mode")
    # The door's desk, attendee files and calendars; the registrants' notifications.
    app.register_blueprint(desk_pages.bp)
    registrant_notices.register_kinds()
    # How the audit log shows events and registrations.
    record_kinds.register_kinds()
