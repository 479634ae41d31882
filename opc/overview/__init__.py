"""Dashboards that combine the domains: each park at a glance (above every domain)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from opc.core import nav
from opc.core.permissions import can
from opc.overview import attention, views


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    attention.register()  # the team list's filter the dashboard's counts link to
    nav.add("overview.index", _l("Dashboard"), lambda u: can(u, "parks.view"), order=10)
