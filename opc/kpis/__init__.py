"""KPI reports: each quarter a resident team reports its revenue, headcount, IP, works,
financing, R&D spending and taxes; staff see who has not filed and remind them."""

from __future__ import annotations

from flask import Flask

from opc.kpis import (
    api,  # /api/v1/kpi-reports: routes register when imported
    audit_kinds,
    home,
    models,
    notify,
    permissions,
    tasks,  # the reminder job registers when imported
    views,
)

# Models map, rules and jobs register when imported.
__all__ = ["api", "models", "permissions", "tasks"]


def init_app(app: Flask) -> None:
    """The KPI API, notifications and audit kinds (the pages register below)."""
    audit_kinds.register_kinds()
    notify.register_kinds()
    views.register(app)  # the pages, their nav entry and the team page's card
    home.register()  # the quarter to file on the team home, teams not filed in the staff's queue
