"""Creating and changing parks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from sqlalchemy import func, select

from opc.core.db import lock, transaction
from opc.core.errors import RuleViolation, ValidationFailed
from opc.parks.models import Park

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
    """Change a park; its area may not shrink below its units, nor its cap below its residents."""
    from opc.space.models import Unit
    from opc.teams.models import Team, TeamStatus

    values = {k: v for k, v in values.items() if k in EDITABLE and v is not None}
    _validate(values)
    with transaction(actor) as session:
        park = lock(Park, park.id)  # type: ignore[assignment]
        if "total_area_m2" in values:
            used = session.scalar(
                select(func.coalesce(func.sum(Unit.area_m2), 0)).where(Unit.park_id == park.id)
            )
            if Decimal(values["total_area_m2"]) < Decimal(str(used)).quantize(Decimal("0.01")):
                raise RuleViolation(
                    "park_area_exceeded", _("The park's units already cover %(a)s m².", a=used)
                )
        if "team_cap" in values:
            residents = session.scalar(
                select(func.count())
                .select_from(Team)
                .where(Team.park_id == park.id, Team.status == TeamStatus.RESIDENT)
            )
            if int(values["team_cap"]) < (residents or 0):
                raise RuleViolation(
                    "team_cap_reached", _("The park already has %(n)d resident teams.", n=residents)
                )
        for key, value in values.items():
            setattr(park, key, value)
    return park
