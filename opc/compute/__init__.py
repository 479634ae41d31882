"""Compute subsidies: the platforms (providers) that report GPU usage."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from opc.auth.models import Role, User
from opc.auth.signals import user_created
from opc.compute import (
    api,
    audit_kinds,
    explorer_views,
    home,
    notify,
    permissions,
    settlement_views,
    settlements_api,
    team_pages,
    usage_api,
    usage_views,
    views,
)
from opc.compute.labels import alert_kind_label, percent_label, voucher_state_label
from opc.compute.models import Provider
from opc.compute.permissions import can_grant_vouchers
from opc.core import nav
from opc.core.money import yuan_str
from opc.extensions import db

# Rules register when imported.
__all__ = ["api", "permissions", "settlements_api", "usage_api"]


def add_provider_record(user: User, **_kw: Any) -> None:
    """A user of role provider is a compute platform: it gets its provider record."""
    if user.role == Role.PROVIDER:
        db.session.add(Provider(user_id=user.id, name=user.name))


def init_app(app: Flask) -> None:
    user_created.connect(add_provider_record)
    notify.connect()  # voucher alerts notify the team's members and the park's staff
    # Programmes, vouchers and a team's vouchers (opc.compute.views).
    app.register_blueprint(views.bp)
    # Settlements with providers and the usage explorer.
    app.register_blueprint(settlement_views.bp)
    app.register_blueprint(explorer_views.bp)
    app.add_template_filter(alert_kind_label, "alert_kind")
    app.add_template_filter(voucher_state_label, "voucher_state")
    app.add_template_filter(percent_label, "percent")
    app.add_template_filter(lambda h: "—" if h is None else yuan_str(h), "gpu_hours")
    nav.add("compute.index", _l("Compute"), lambda u: can_grant_vouchers(u), order=45)
    nav.add(
        "compute.mine",
        _l("Our compute vouchers"),
        lambda u: u.role == Role.MEMBER and u.team_id is not None,
        order=45,
    )
    nav.add(
        "compute_usage.mine",
        _l("Our compute usage"),
        lambda u: u.role == Role.MEMBER and u.team_id is not None,
        order=46,
    )
    team_pages.register()
    audit_kinds.register_kinds()
    # Staff upload a provider's usage file on its behalf (opc.compute.usage_views).
    app.register_blueprint(usage_views.bp)
    nav.add("compute_upload.upload", _l("Upload usage"), usage_views.may_upload, order=46)
    home.register()  # vouchers running out, on the team home
