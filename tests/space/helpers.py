"""Helpers for the space tests: stored rows, posting forms."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask

from tests.core.helpers import count, post_form, rows
from tests.core.helpers import error_of as error

__all__ = ["D", "count", "error", "post_form", "stored"]

D = date.fromisoformat


def stored(app: Flask, model: Any, *where: Any, order_by: Any = None) -> list[Any]:
    """Stored rows of `model`, in id order unless told otherwise."""
    return rows(app, model, *where, order_by=model.id if order_by is None else order_by)
