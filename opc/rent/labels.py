"""Names of waiver statuses for people, in the page's language."""

from flask_babel import lazy_gettext as _l

WAIVER_STATUSES = {
    "proposed": _l("Proposed"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}


def waiver_status_label(status: str) -> str:
    return str(WAIVER_STATUSES.get(status, status))


LINE_KINDS = {
    "rent": _l("Rent"),
    "waiver": _l("Waiver"),
    "adjustment": _l("Adjustment"),
    "clawback": _l("Clawback"),
    "rounding": _l("Rounding"),
    "room": _l("Shared room"),
}


def line_kind_label(kind: str) -> str:
    return str(LINE_KINDS.get(kind, kind))
