"""The JSON API under /api/v1: token auth, one error format, pagination, OpenAPI."""

from flask import Flask

from opc.api import openapi  # noqa: F401  (its route: /api/v1/openapi.json)
from opc.api.routing import bp


def init_app(app: Flask) -> None:
    """Register the API blueprint, after every domain has added its routes to it."""
    app.register_blueprint(bp)
