"""The JSON API under /api/v1: token auth, one error format, pagination, OpenAPI."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
