"""Rent: policies and waivers (later: monthly statements, payments and balances)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from opc.core import nav
from opc.rent import api, permissions, settings, views
from opc.rent.labels import waiver_status_label
from opc.rent.permissions import can_manage_waivers

__all__ = ["api", "permissions", "settings"]  # routes, rules and settings register on import


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.add_template_filter(waiver_status_label, "waiver_status")
    nav.add("rent.index", _l("Rent"), lambda u: can_manage_waivers(u), order=40)
