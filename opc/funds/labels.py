"""Names of the funds domain's codes for people, in the page's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

APPLICATION_STATUSES = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "screening": _l("Screening"),
    "in_review": _l("In review"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
    "disbursed": _l("Disbursed"),
}

REVIEW_STATUSES = {
    "assigned": _l("To review"),
    "submitted": _l("Review submitted"),
    "recused": _l("Recused (conflict of interest)"),
}

TRANCHE_STATUSES = {
    "proposed": _l("Proposed"),
    "paid": _l("Paid"),
}


def application_status_label(status: str) -> str:
    return str(APPLICATION_STATUSES.get(status, status))


def review_status_label(status: str) -> str:
    return str(REVIEW_STATUSES.get(status, status))


def tranche_status_label(status: str) -> str:
    return str(TRANCHE_STATUSES.get(status, status))
