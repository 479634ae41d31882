"""Names of the rooms domain's codes for people, in the page's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

BOOKABLE_BY = {
    "residents": _l("Residents and staff"),
    "staff": _l("Staff only"),
}

BOOKING_STATUSES = {
    "confirmed": _l("Confirmed"),
    "cancelled": _l("Cancelled"),
}


def bookable_by_label(code: str) -> str:
    return str(BOOKABLE_BY.get(code, code))


def booking_status_label(code: str) -> str:
    return str(BOOKING_STATUSES.get(code, code))
