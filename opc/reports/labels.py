"""Names of the reports' codes for people, in the page's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

RUN_STATUSES = {
    "running": _l("Being produced"),
    "done": _l("Done"),
    "failed": _l("Failed"),
}

KINDS = {"monthly_subsidy": _l("Monthly subsidy report")}

SOURCES = {"scheduler": _l("Scheduled"), "manual": _l("Started by hand")}


def run_status_label(status: str) -> str:
    return str(RUN_STATUSES.get(status, status))


def kind_label(kind: str) -> str:
    return str(KINDS.get(kind, kind))


def source_label(source: str) -> str:
    return str(SOURCES.get(source, source))
