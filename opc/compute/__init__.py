"""Compute subsidies: the platforms (providers) that report GPU usage."""

from __future__ import annotations

from typing import Any

from flask import Flask

from opc.auth.models import Role, User
from opc.auth.signals import user_created
from opc.compute import notify, permissions
from opc.compute.models import Provider
from opc.extensions import db

# Rules register when imported.
__all__ = ["permissions"]


def add_provider_record(user: User, **_kw: Any) -> None:
    """A user of role provider is a compute platform: it gets its provider record."""
    if user.role == Role.PROVIDER:
        db.session.add(Provider(user_id=user.id, name=user.name))


def init_app(app: Flask) -> None:
    user_created.connect(add_provider_record)
    notify.connect()  # voucher alerts notify the team's members and the park's staff
