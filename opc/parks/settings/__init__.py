"""Per-park settings stored in the database: domains define typed keys (`define`), admins
change the values of a park (page and API, audited), operations read them (`value_of`)
inside the transaction that relies on them."""

from __future__ import annotations

from flask import Flask

from opc.parks.settings import api, views
from opc.parks.settings.models import ParkSetting
from opc.parks.settings.queries import value_of, values_of
from opc.parks.settings.registry import Setting, define, definitions

__all__ = ["ParkSetting", "Setting", "api", "define", "definitions", "value_of", "values_of"]


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
