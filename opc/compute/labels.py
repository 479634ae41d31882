"""Names of the compute domain's codes for people, in the page's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ALERT_KINDS = {
    "used_80": _l("Used: 80%"),
    "used_100": _l("Used up"),
    "expires_30": _l("Expires within 30 days"),
    "expires_7": _l("Expires within 7 days"),
}

VOUCHER_STATES = {
    "upcoming": _l("Not valid yet"),
    "active": _l("In force"),
    "used_up": _l("Used up"),
    "expired": _l("Expired"),
}


def alert_kind_label(kind: str) -> str:
    return str(ALERT_KINDS.get(kind, kind))


def voucher_state_label(state: str) -> str:
    return str(VOUCHER_STATES.get(state, state))


def percent_label(value: object) -> str:
    """A rate as people read it: 50%, 12.5%."""
    text = f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)
    return f"{text}%"
