"""Parks: the hubs and clusters of the deployment, and who works for which."""

from __future__ import annotations

from flask import Flask

from opc.auth.operations import load_with_user
from opc.parks import api, audit_kinds, permissions, settings, views, workdays

__all__ = ["api", "permissions"]  # their routes and rules register when imported


def init_app(app: Flask) -> None:
    # Permission checks read a staff member's parks on every request: load them with the user.
    load_with_user("parks")
    app.register_blueprint(views.bp)
    settings.init_app(app)
    audit_kinds.register_kinds()
    workdays.init_app(app)  # the working calendar: its page and audit kinds
