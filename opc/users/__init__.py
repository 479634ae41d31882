"""Administering accounts: admins create people and machine clients, members with their
team and staff with their parks (above teams and parks, which it assigns)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from opc.auth.permissions import can_manage_users
from opc.core import nav
from opc.users import api, cli, views

__all__ = ["api", "cli"]  # their routes and commands register when imported


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    nav.add("users.index", _l("Users"), can_manage_users, order=90)
