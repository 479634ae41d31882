"""Changing a park's settings: admins; every change audited (ParkSetting is Audited)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from opc.core.db import lock, retrying, transaction
from opc.core.errors import NotFound, ValidationFailed
from opc.core.permissions import require_actor
from opc.parks.models import Park
from opc.parks.permissions import can_manage_parks
from opc.parks.settings.models import ParkSetting
from opc.parks.settings.registry import definition


def clean_settings(values: dict[str, Any]) -> dict[str, Any]:
    """The typed values; ValidationFailed naming every unknown key and bad value at once."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for key, raw in values.items():
        setting = definition(key)
        if setting is None:
            errors[key] = [_("Unknown setting.")]
            continue
        try:
            out[key] = setting.parse(raw)
        except ValueError as exc:
            errors[key] = [str(exc)]
    if errors:
        raise ValidationFailed(errors)
    return out


@retrying
def change_settings(park: Park, *, actor: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Set some of a park's settings (the others keep their values); returns the typed values."""
    cleaned = clean_settings(values)
    with transaction(actor) as session:
        locked = lock(Park, park.id)  # one writer of a park's settings at a time
        if locked is None:
            raise NotFound("not_found", _("Not found."))
        require_actor(can_manage_parks, actor, locked)
        stored = {
            row.key: row
            for row in session.scalars(select(ParkSetting).where(ParkSetting.park_id == park.id))
        }
        for key, value in cleaned.items():
            text = definition(key).dump(value)  # type: ignore[union-attr]
            row = stored.get(key)
            if row is None:
                session.add(ParkSetting(park_id=park.id, key=key, value=text))
            elif row.value != text:
                row.value = text
        session.flush()
    return cleaned
