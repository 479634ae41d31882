"""The park's outcome dashboard: output and growth by track, residents and occupancy by
month, graduations, and the subsidy spent against what the teams earned and paid in
taxes; a page for staff (/outcomes) and its JSON twin for BI tools (/api/v1/outcomes)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from opc.core import nav
from opc.outcomes.dashboard import (
    api,  # /api/v1/outcomes: routes register when imported
    permissions,
    views,
)

__all__ = ["api", "permissions"]


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    nav.add("outcomes.dashboard", _l("Outcomes"), views.may_see_outcomes, order=62)
