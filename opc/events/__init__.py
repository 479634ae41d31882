"""Events: forums, workshops, roadshows and demo days with registration, a fair waitlist,
QR check-in, attendance and calendars."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from opc.core import nav
from opc.events import api as events_api  # /api/v1/events: routes register when imported
from opc.events import api_desk as desk_api  # its routes register when imported
from opc.events import audit_kinds as record_kinds  # how the audit log shows events
from opc.events import (
    models,
    permissions,
    views_manage,  # the staff's event form and cancelling: routes of "events"
    views_public,  # the public event page and the guest's ticket: routes of "events"
    views_team,  # the events card of a team's page
)
from opc.events import notify as registrant_notices
from opc.events import views as event_pages  # blueprint "events": list, calendar, event page
from opc.events import views_desk as desk_pages
from opc.events.labels import (
    event_kind_label,
    event_status_label,
    registration_status_label,
    waitlist_mode_label,
)

# Models map and rules register when imported.
__all__ = ["desk_api", "events_api", "models", "permissions", "views_manage", "views_public"]


def init_app(app: Flask) -> None:
    """Each part of events registers its pages, API routes, labels and audit kinds here."""
    app.add_template_filter(event_kind_label, "event_kind")
    app.add_template_filter(event_status_label, "event_status")
    app.add_template_filter(registration_status_label, "registration_status")
    app.add_template_filter(waitlist_mode_label, "waitlist_mode")
    # The event pages (opc.events.views*): the blueprint, the nav entry, the team page's card.
    app.register_blueprint(event_pages.bp)
    nav.add("events.index", _l("Events"), event_pages.may_see_events, order=46)
    views_team.register()
    # The door's desk, attendee files and calendars; the registrants' notifications.
    app.register_blueprint(desk_pages.bp)
    registrant_notices.register_kinds()
    # How the audit log shows events and registrations.
    record_kinds.register_kinds()
