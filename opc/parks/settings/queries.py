"""Reading a park's settings: typed values, defaults for keys never set."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from opc.extensions import db
from opc.parks.settings.models import ParkSetting
from opc.parks.settings.registry import Setting, definition, definitions


def values_of(park_id: int) -> dict[str, Any]:
    """Every known setting of the park, typed (one query)."""
    stored = dict(
        db.session.execute(
            select(ParkSetting.key, ParkSetting.value).where(ParkSetting.park_id == park_id)
        ).all()
    )
    return {s.key: s.load(stored.get(s.key)) for s in definitions()}


def value_of(park_id: int, key: str) -> Any:
    """One setting of the park, typed; read it inside the transaction that relies on it."""
    setting = definition(key)
    if setting is None:
        raise KeyError(f"no setting {key!r}")
    text = db.session.scalar(
        select(ParkSetting.value).where(ParkSetting.park_id == park_id, ParkSetting.key == key)
    )
    return setting.load(text)


def described(park_id: int) -> list[tuple[Setting, Any]]:
    """The park's settings with their definitions, in display order (pages, the API)."""
    values = values_of(park_id)
    return [(s, values[s.key]) for s in definitions()]
