"""How the audit log shows events and registrations (opc.audit.registry): an event by its
title, a registration by its registrant and event, their codes in words."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from opc.audit.registry import RecordKind, register
from opc.core.i18n import locale_code
from opc.events.labels import (
    event_kind_label,
    event_status_label,
    registration_status_label,
    waitlist_mode_label,
)
from opc.events.models import Event, Registration


def _registration_name(registration: Any) -> str:
    return f"{registration.name} · {registration.event.title(locale_code())}"


def register_kinds() -> None:
    register(
        RecordKind(
            Event,
            _l("Event"),
            url=lambda e: url_for("events.detail", event_id=e.id),
            name=lambda e: e.title(locale_code()),
            fields={
                "title_zh": _l("Title"),
                "title_en": _l("Title (English)"),
                "description_zh": _l("Description"),
                "description_en": _l("Description (English)"),
                "venue_unit_id": _l("Room"),
                "venue_text": _l("Venue"),
                "starts_at": _l("Starts"),
                "ends_at": _l("Ends"),
                "capacity": _l("Capacity"),
                "registration_opens_at": _l("Registration opens"),
                "registration_closes_at": _l("Registration closes"),
                "public": _l("Open to the public"),
                "waitlist_mode": _l("Waitlist"),
                "offer_hours": _l("Hours to accept an offered place"),
            },
            values={
                "kind": event_kind_label,
                "status": event_status_label,
                "waitlist_mode": waitlist_mode_label,
            },
        )
    )
    register(
        RecordKind(
            Registration,
            _l("Event registration"),
            url=lambda r: url_for("events.detail", event_id=r.event_id),
            name=_registration_name,
            load=(joinedload(Registration.event),),
            fields={
                "event_id": _l("Event"),
                "organisation": _l("Organisation"),
                "phone": _l("Phone"),
                "queued_at": _l("In line since"),
                "offer_expires_at": _l("Offer lapses"),
                "confirmed_at": _l("Confirmed"),
                "cancelled_at": _l("Cancelled"),
                "checked_in_at": _l("Checked in"),
                "checked_in_by_id": _l("Checked in by"),
            },
            values={"status": registration_status_label},
            hidden=frozenset({"secret"}),
        )
    )
