"""Bulk onboarding of units: a CSV file imported all or nothing.

Every row is checked (fields, codes repeated in the file or used in the park, the park's
area for the file as a whole) before anything is written; one bad row imports nothing and
the report lists every bad row with its number, column and reason.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from opc.core.csvio import ImportErrors, chunks, read_all, template
from opc.core.db import retrying, transaction
from opc.core.errors import ValidationFailed
from opc.core.permissions import require_actor
from opc.parks.models import Park
from opc.space.models import Unit
from opc.space.operations import clean_unit, locked_park
from opc.space.permissions import can_allocate
from opc.space.rules import area, park_area_exceeded, units_area

REQUIRED = ("code", "kind", "floor", "area_m2")
OPTIONAL = ("seats", "rent_per_m2_yuan")
EXAMPLE = ("2-O01", "office", "2", "30.00", "4", "80.00")
# CSV column -> unit field (rent travels in yuan, is kept in fen).
_FIELDS = {"rent_per_m2_yuan": "rent_fen_per_m2"}


def template_csv() -> bytes:
    """The downloadable template: every column and one example row."""
    return template(REQUIRED + OPTIONAL, EXAMPLE)


def _check_rows(
    rows: list[tuple[int, dict[str, str]]], errors: ImportErrors
) -> list[tuple[int, dict[str, Any]]]:
    good: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        values = {_FIELDS.get(k, k): v for k, v in row.items()}
        try:
            cleaned = clean_unit(values)
        except ValidationFailed as exc:
            errors.add_fields(number, exc.fields, {v: k for k, v in _FIELDS.items()})
            continue
        code = cleaned["code"]
        if code in seen:
            errors.add(number, "code", _("Same code as row %(row)d.", row=seen[code]))
            continue
        seen[code] = number
        good.append((number, cleaned))
    return good


@retrying
def import_units(park_id: int, data: bytes, *, actor: Any) -> list[Unit]:
    """Create the units of a CSV file in a park, or none of them (ImportRejected)."""
    errors = ImportErrors()
    good = _check_rows(read_all(data, REQUIRED, OPTIONAL, errors), errors)
    with transaction(actor) as session:
        park = locked_park(park_id)
        require_actor(can_allocate, actor, park)
        codes = [values["code"] for _n, values in good]
        taken: set[str] = set()
        for some in chunks(codes):  # bounded statements, however long the file
            taken.update(
                session.scalars(
                    select(Unit.code).where(Unit.park_id == park.id, Unit.code.in_(some))
                )
            )
        for number, values in good:
            if values["code"] in taken:
                errors.add(number, "code", _("The park has a unit with this code already."))
        _check_area(park, units_area(session, park.id), good, errors)
        errors.raise_if_any()
        units = [Unit(park_id=park.id, **values) for _n, values in good]
        for some in chunks(units):
            session.add_all(some)
            session.flush()
    return units


def _check_area(
    park: Park, in_use: Decimal, good: list[tuple[int, dict[str, Any]]], errors: ImportErrors
) -> None:
    """Report the row at which the file's units no longer fit into the park's area."""
    total = area(park.total_area_m2)
    running = in_use
    for number, values in good:
        if running + values["area_m2"] > total:
            errors.add(
                number, "area_m2", park_area_exceeded(park, running, values["area_m2"]).message
            )
            return
        running += values["area_m2"]
