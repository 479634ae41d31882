"""Units of a park: their values, and adding, changing and removing them.

Every write locks the park row first (`locked_park`: SELECT … FOR UPDATE on PostgreSQL;
SQLite's BEGIN IMMEDIATE already serialises writers) and only then reads what it checks.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opc.core.db import lock, retrying, transaction
from opc.core.errors import NotFound, RuleViolation, ValidationFailed
from opc.core.money import AmountTooLarge, parse_yuan
from opc.core.permissions import require_actor
from opc.core.values import clean_text, decimal_number, is_id, whole_number
from opc.parks.models import Park
from opc.space.models import Allocation, Unit, UnitKind
from opc.space.permissions import can_allocate
from opc.space.rules import area, check_fits

UNIT_FIELDS = ("code", "kind", "floor", "area_m2", "seats", "rent_fen_per_m2")
# The bounds of a unit's values, here only: the API's schema states them from these.
MAX_AREA = Decimal("99999999.99")  # Numeric(10, 2)
MAX_CODE = 40
FLOORS = (-20, 500)
MAX_SEATS = 100_000
# Monthly rent per m², in yuan: all nines, so that the API's decimal pattern states it exactly.
MAX_RENT = Decimal("9999999.99")


def _area_value(value: Any) -> Decimal:
    return decimal_number(
        value, maximum=MAX_AREA, places=2, message=_("Must be a number of m², e.g. 30.50.")
    )


def _rent_value(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(_("Must be an amount in yuan, e.g. 80.00."))
    if isinstance(value, int):
        fen = value
    else:
        try:
            fen = parse_yuan(value)
        except AmountTooLarge as exc:
            raise ValueError(_("Too large.")) from exc
        except ValueError as exc:
            raise ValueError(_("Must be an amount in yuan, e.g. 80.00.")) from exc
    if fen < 0:
        raise ValueError(_("Must not be negative."))
    if fen > MAX_RENT * 100:
        raise ValueError(_("Too large."))
    return fen


def _code_value(value: Any) -> str:
    code = clean_text(str(value or "").strip())
    if not code:
        raise ValueError(_("A code is required."))
    if len(code) > MAX_CODE:
        raise ValueError(_("At most %(n)d characters.", n=MAX_CODE))
    return code


def _kind_value(value: Any) -> str:
    kind = str(value or "").strip()
    if kind not in {k.value for k in UnitKind}:
        known = ", ".join(k.value for k in UnitKind)
        raise ValueError(_("Unknown kind. Known: %(known)s.", known=known))
    return kind


_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "code": _code_value,
    "kind": _kind_value,
    "floor": lambda v: whole_number(v, *FLOORS),
    "area_m2": _area_value,
    "seats": lambda v: whole_number(v, 0, MAX_SEATS),
    # Monthly rent per m²: fen as an int, or yuan as text/Decimal ("80.00").
    "rent_fen_per_m2": _rent_value,
}
_DEFAULTS = {"seats": 0, "rent_fen_per_m2": 0}


def clean_unit(values: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Checked unit values; ValidationFailed names every bad field at once.

    With `partial` only the given keys are checked (an edit); otherwise code, kind, floor
    and area are required and seats and rent default to 0.
    """
    unknown = set(values) - set(UNIT_FIELDS)
    if unknown:
        raise ValidationFailed({k: [_("Unknown field.")] for k in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key in UNIT_FIELDS:
        if key not in values or values[key] is None or values[key] == "":
            if partial and key not in values:
                continue
            if key in _DEFAULTS:
                cleaned[key] = _DEFAULTS[key]
                continue
            errors[key] = [_("This field is required.")]
            continue
        try:
            cleaned[key] = _CLEANERS[key](values[key])
        except ValueError as exc:
            errors[key] = [str(exc)]
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _check_code_free(session: Session, park_id: int, code: str, exclude: int | None = None) -> None:
    stmt = select(Unit.id).where(Unit.park_id == park_id, Unit.code == code)
    if exclude is not None:
        stmt = stmt.where(Unit.id != exclude)
    if session.scalar(stmt):
        message = _("The park has a unit with code %(code)s already.", code=code)
        raise RuleViolation(
            "unit_code_taken",
            message,
            fields={"code": [message]},
            conflict={"park_id": park_id, "code": code},
        )


def locked_park(park_id: int) -> Park:
    """The park, its row locked (sums of its units' area depend on it); 422 when unknown."""
    park = lock(Park, park_id) if is_id(park_id) else None
    if park is None:
        raise ValidationFailed({"park_id": [_("No such park.")]})
    return park


@retrying
def create_unit(park_id: int, *, actor: Any, **values: Any) -> Unit:
    """Add a unit to a park; its area must fit into what the park's units leave free."""
    cleaned = clean_unit(values)
    with transaction(actor) as session:
        park = locked_park(park_id)
        require_actor(can_allocate, actor, park)
        _check_code_free(session, park.id, cleaned["code"])
        check_fits(session, park, cleaned["area_m2"])
        unit = Unit(park_id=park.id, **cleaned)
        session.add(unit)
        session.flush()
    return unit


def _locked_unit(session: Session, unit_id: int) -> tuple[Unit, Park]:
    """The unit and its park, the park row locked first, the unit read after the lock."""
    park_id = (
        session.scalar(select(Unit.park_id).where(Unit.id == unit_id)) if is_id(unit_id) else None
    )
    if park_id is None:
        raise NotFound("not_found", _("Not found."))
    park = locked_park(park_id)
    unit = session.get(Unit, unit_id, populate_existing=True)
    if unit is None:
        raise NotFound("not_found", _("Not found."))
    return unit, park


@retrying
def update_unit(unit: Unit, *, actor: Any, **values: Any) -> Unit:
    """Change a unit; a larger area must still fit into the park's area."""
    cleaned = clean_unit(values, partial=True)
    with transaction(actor) as session:
        unit, park = _locked_unit(session, unit.id)
        require_actor(can_allocate, actor, park)
        if "code" in cleaned and cleaned["code"] != unit.code:
            _check_code_free(session, park.id, cleaned["code"], exclude=unit.id)
        if "area_m2" in cleaned and cleaned["area_m2"] > area(unit.area_m2):
            check_fits(session, park, cleaned["area_m2"], exclude=unit.id)
        for key, value in cleaned.items():
            setattr(unit, key, value)
        session.flush()
    return unit


@retrying
def delete_unit(unit: Unit, *, actor: Any) -> None:
    """Remove a unit that was never allocated (an allocated one is kept for the record)."""
    with transaction(actor) as session:
        unit, park = _locked_unit(session, unit.id)
        require_actor(can_allocate, actor, park)
        held = session.scalar(
            select(func.count()).select_from(Allocation).where(Allocation.unit_id == unit.id)
        )
        if held:
            raise RuleViolation(
                "unit_in_use",
                _(
                    "Unit %(code)s has been allocated (%(n)d times); it is kept for the record.",
                    code=unit.code,
                    n=held,
                ),
                conflict={"unit_id": unit.id, "allocations": held},
            )
        session.delete(unit)
