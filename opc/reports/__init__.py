"""Reports: the monthly subsidy report of each park (rent waived, compute subsidised, fund
amounts approved and disbursed), produced once per park and month by the scheduler or on
demand, kept as runs with CSV and XLSX files, mailed to the park's recipients."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from opc.core import nav
from opc.reports import (
    api,  # /api/v1/reports: routes register when imported
    audit_kinds,
    home,
    models,
    notify,
    permissions,
    settings,  # the park's report recipients
    views,
)
from opc.reports.labels import run_status_label

__all__ = ["api", "models", "permissions", "settings"]


def init_app(app: Flask) -> None:
    app.add_template_filter(run_status_label, "report_status")
    audit_kinds.register_kinds()
    notify.register_kinds()  # report.ready
    app.register_blueprint(views.bp)
    nav.add("reports.index", _l("Reports"), views.may_see_reports, order=60)
    home.register()  # reports produced or failed, in the staff's queue
