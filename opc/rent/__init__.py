"""Rent: policies and waivers, monthly statements, payments and balances."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from opc.core import nav
from opc.core.permissions import Role
from opc.rent import (
    api,
    audit_kinds,
    balance_views,
    home,
    notify,
    payments_api,
    permissions,
    settings,
    statement_views,
    statements_api,
    views,
)
from opc.rent.forms import PAYMENT_METHODS
from opc.rent.labels import line_kind_label, waiver_status_label
from opc.rent.payments_model import Payment
from opc.rent.permissions import can_manage_waivers

# Routes, rules and settings register when imported.
__all__ = ["Payment", "api", "payments_api", "permissions", "settings", "statements_api"]


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(statement_views.bp)
    app.register_blueprint(balance_views.bp)
    balance_views.register()
    audit_kinds.register_kinds()
    notify.register_kinds()  # statement.issued
    app.add_template_filter(waiver_status_label, "waiver_status")
    app.add_template_filter(line_kind_label, "line_kind")
    app.add_template_filter(lambda m: str(PAYMENT_METHODS.get(m, m)), "payment_method")
    nav.add("rent.index", _l("Rent"), lambda u: can_manage_waivers(u), order=40)
    nav.add("rent_balances.mine", _l("Our rent"), lambda u: u.role == Role.MEMBER, order=40)
    home.register()  # statements to pay on the team home, waivers in the staff's queue
