"""Names of the service domain's codes for people, in the page's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CATEGORIES = {
    "company_registration": _l("Company registration"),
    "ip_copyright": _l("IP and copyright"),
    "financing": _l("Financing"),
    "talent_visas": _l("Talent and visas"),
    "compute_access": _l("Compute access"),
    "facilities": _l("Facilities"),
    "policy_consultation": _l("Policy consultation"),
    "other": _l("Other"),
}

STATUSES = {
    "open": _l("Open"),
    "triaged": _l("Triaged"),
    "assigned": _l("Assigned"),
    "in_progress": _l("In progress"),
    "waiting_on_team": _l("Waiting on the team"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
    "reopened": _l("Reopened"),
}

SLA_STATES = {
    "on_time": _l("On time"),
    "due_soon": _l("Due soon"),
    "breached": _l("Breached"),
    "unknown": _l("Calendar unknown"),
}


def category_label(code: str) -> str:
    return str(CATEGORIES.get(code, code))


def service_status_label(code: str) -> str:
    return str(STATUSES.get(code, code))


def sla_label(code: str) -> str:
    return str(SLA_STATES.get(code, code))
