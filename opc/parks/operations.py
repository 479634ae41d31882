"""Creating and changing parks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from sqlalchemy import select

from opc.auth.models import User
from opc.core.db import lock, transaction
from opc.core.errors import RuleViolation, ValidationFailed
from opc.core.permissions import require_actor
from opc.parks.models import Park
from opc.parks.permissions import can_manage_parks
from opc.parks.signals import resizing

EDITABLE = ("name_zh", "name_en", "total_area_m2", "team_cap", "timezone", "currency")


def _validate(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if "timezone" in values:
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            errors["timezone"] = [_("Unknown timezone.")]
    if "total_area_m2" in values and Decimal(values["total_area_m2"]) <= 0:
        errors["total_area_m2"] = [_("Must be greater than zero.")]
    if "team_cap" in values and int(values["team_cap"]) < 0:
        errors["team_cap"] = [_("Must not be negative.")]
    if errors:
        raise ValidationFailed(errors)


def create_park(
    *,
    actor: Any,
    code: str,
    name_zh: str,
    name_en: str = "",
    total_area_m2: Decimal,
    team_cap: int,
    timezone: str = "Asia/Shanghai",
    currency: str = "CNY",
) -> Park:
    """Add a park to the deployment."""
    require_actor(can_manage_parks, actor)
    values = {"timezone": timezone, "total_area_m2": total_area_m2, "team_cap": team_cap}
    _validate(values)
    with transaction(actor) as session:
        if session.scalar(select(Park.id).where(Park.code == code)):
            raise RuleViolation("park_code_taken", _("A park with code %(c)s exists.", c=code))
        park = Park(
            code=code,
            name_zh=name_zh,
            name_en=name_en,
            total_area_m2=total_area_m2,
            team_cap=team_cap,
            timezone=timezone,
            currency=currency,
        )
        session.add(park)
    return park


def update_park(park: Park, *, actor: Any, **values: Any) -> Park:
    """Change a park; its area may not shrink below its units, nor its cap below its residents
    (the domains that own those rules check them on `resizing`)."""
    require_actor(can_manage_parks, actor)
    values = {k: v for k, v in values.items() if k in EDITABLE and v is not None}
    _validate(values)
    with transaction(actor):
        park = lock(Park, park.id)  # type: ignore[assignment]
        if "total_area_m2" in values or "team_cap" in values:
            resizing.send(
                park,
                total_area_m2=values.get("total_area_m2"),
                team_cap=values.get("team_cap"),
            )
        for key, value in values.items():
            setattr(park, key, value)
    return park


def assign_staff(user: User, park_ids: list[int], *, actor: Any) -> None:
    """Make `user` staff of exactly these parks (admins)."""
    require_actor(can_manage_parks, actor)
    with transaction(actor) as session:
        parks = []
        for park_id in dict.fromkeys(park_ids):
            park = session.get(Park, park_id)
            if park is None:
                raise ValidationFailed({"park_ids": [_("No such park: %(id)s.", id=park_id)]})
            parks.append(park)
        user.parks = parks  # type: ignore[attr-defined]
        session.flush()
