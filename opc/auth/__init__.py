"""Who is asking: users, login sessions, API tokens, login throttling, one's account."""

from __future__ import annotations

from flask import Flask

from opc.api.routing import token_loader
from opc.auth import cli, operations, views
from opc.auth.labels import role_label, scope_label
from opc.extensions import login


def init_app(app: Flask) -> None:
    login.user_loader(operations.load_session_user)
    token_loader(operations.load_token)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.users)
    app.add_template_filter(role_label, "role")
    app.add_template_filter(scope_label, "scope")
