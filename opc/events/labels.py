"""Names of the events domain's codes for people, in the page's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KINDS = {
    "forum": _l("Forum"),
    "convention": _l("Convention"),
    "workshop": _l("Workshop"),
    "salon": _l("Salon"),
    "roadshow": _l("Roadshow"),
    "demo_day": _l("Demo day"),
}

EVENT_STATUSES = {
    "scheduled": _l("Scheduled"),
    "cancelled": _l("Cancelled"),
}

WAITLIST_MODES = {
    "auto": _l("Confirm the next in line at once"),
    "offer": _l("Offer the place with a deadline to accept"),
}

REGISTRATION_STATUSES = {
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("On the waitlist"),
    "offered": _l("Place offered"),
    "cancelled": _l("Cancelled"),
    "lapsed": _l("Offer lapsed"),
}


def event_kind_label(code: str) -> str:
    return str(KINDS.get(code, code))


def event_status_label(code: str) -> str:
    return str(EVENT_STATUSES.get(code, code))


def waitlist_mode_label(code: str) -> str:
    return str(WAITLIST_MODES.get(code, code))


def registration_status_label(code: str) -> str:
    return str(REGISTRATION_STATUSES.get(code, code))
