"""The government's incubator statistics (the Torch 火炬统计 survey): a park's resident
enterprises of a year with their figures, as the year's form (config/torch.toml) asks."""

from __future__ import annotations

from flask import Flask

from opc.outcomes.torch import (
    api,  # /api/v1/torch: the route registers when imported
    mapping,
    permissions,
    views,
)
from opc.outcomes.torch.download import EXTENSION

__all__ = ["api", "permissions"]


def init_app(app: Flask) -> None:
    # Read and checked at start: a mapping the export cannot follow stops the app here.
    app.extensions[EXTENSION] = mapping.load(app.config.get("TORCH_MAPPING_FILE") or None)
    app.register_blueprint(views.bp)
