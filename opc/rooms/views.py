"""The rooms pages (blueprint "rooms")."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("rooms", __name__)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
