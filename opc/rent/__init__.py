"""Rent: policies and waivers (later: monthly statements, payments and balances)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from opc.core import nav
from opc.rent import api, permissions, settings, statement_views, statements_api, views
from opc.rent.labels import line_kind_label, waiver_status_label
from opc.rent.permissions import can_manage_waivers

# Routes, rules and settings register when imported.
__all__ = ["api", "permissions", "settings", "statements_api"]


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(statement_views.bp)
    app.add_template_filter(waiver_status_label, "waiver_status")
    app.add_template_filter(line_kind_label, "line_kind")
    nav.add("rent.index", _l("Rent"), lambda u: can_manage_waivers(u), order=40)
