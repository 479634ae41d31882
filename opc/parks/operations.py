"""Creating and changing parks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from sqlalchemy import select

from opc.auth.models import User
from opc.core.db import lock, retrying, transaction
from opc.core.errors import RuleViolation, ValidationFailed
from opc.core.permissions import require_actor
from opc.core.values import decimal_number, is_id, text_problem, whole_number
from opc.parks.models import Park
from opc.parks.permissions import can_manage_parks
from opc.parks.signals import resizing

EDITABLE = ("name_zh", "name_en", "total_area_m2", "team_cap", "timezone", "currency")
# The bounds of a park's values, here only: the API's schema states them from these.
MAX_AREA = Decimal("9999999999.99")  # Numeric(12, 2)
MAX_TEAM_CAP = 100_000


# Texts of a park: one line each, without control characters.
TEXTS = ("code", "name_zh", "name_en", "timezone", "currency")


def _validate(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for name in TEXTS:
        if isinstance(values.get(name), str) and (problem := text_problem(values[name])):
            errors[name] = [problem]
    if "timezone" in values and "timezone" not in errors:
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            errors["timezone"] = [_("Unknown timezone.")]
    if "total_area_m2" in values:
        try:
            decimal_number(values["total_area_m2"], maximum=MAX_AREA)
        except ValueError as exc:
            errors["total_area_m2"] = [str(exc)]
    if "team_cap" in values:
        try:
            whole_number(values["team_cap"], 0, MAX_TEAM_CAP)
        except ValueError as exc:
            errors["team_cap"] = [str(exc)]
    if errors:
        raise ValidationFailed(errors)


@retrying
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
    _validate(
        {
            "code": code,
            "name_zh": name_zh,
            "name_en": name_en,
            "timezone": timezone,
            "currency": currency,
            "total_area_m2": total_area_m2,
            "team_cap": team_cap,
        }
    )
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


@retrying
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


@retrying
def assign_staff(user: User, park_ids: list[int], *, actor: Any) -> None:
    """Make `user` staff of exactly these parks (admins)."""
    require_actor(can_manage_parks, actor)
    with transaction(actor) as session:
        parks = []
        for park_id in dict.fromkeys(park_ids):
            park = session.get(Park, park_id) if is_id(park_id) else None
            if park is None:
                raise ValidationFailed({"park_ids": [_("No such park: %(id)s.", id=park_id)]})
            parks.append(park)
        user.parks = parks  # type: ignore[attr-defined]
        session.flush()
