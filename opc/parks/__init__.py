"""Parks: the hubs and clusters of the deployment, and who works for which."""

from __future__ import annotations

from flask import Flask

from opc.parks import api, permissions, views

__all__ = ["api", "permissions"]  # their routes and rules register when imported


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
