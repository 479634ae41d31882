"""Funds: calls for applications, the team's application portal, blind expert review,
decisions within budget and disbursement in tranches."""

from __future__ import annotations

from flask import Flask

from opc.funds import application_models, models, review_models

__all__ = ["application_models", "models", "review_models"]


def init_app(app: Flask) -> None:
    """Each part of funds registers its pages, API routes, labels and audit kinds here."""
