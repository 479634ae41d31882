"""Bulk onboarding of units: a CSV file imported all or nothing.

Every row is checked (fields, codes repeated in the file or used in the park, the park's
area for the file as a whole) before anything is written; one bad row imports nothing and
the report lists every bad row with its number, column and reason.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from opc.core.columns import Choice, Column, Sheet, fold, number_text
from opc.core.csvio import ImportErrors, chunks
from opc.core.db import retrying, transaction
from opc.core.errors import ValidationFailed
from opc.core.permissions import require_actor
from opc.parks.models import Park
from opc.space.labels import KINDS
from opc.space.models import Unit
from opc.space.operations import clean_unit, locked_park
from opc.space.permissions import can_allocate
from opc.space.rules import area, park_area_exceeded, units_area

_FLOOR = re.compile(r"(?:floor|f|第)?(-?\d+)(?:floor|f|层|楼)?")
_BASEMENT = re.compile(r"(?:b|负|地下)(\d+)(?:f|层|楼)?")


def floor_text(text: str) -> str:
    """A floor as pages and people write it ("2 层", "2F", "floor 2", "B1", "负1层") as its
    number; anything else unchanged (the operation refuses it)."""
    value = fold(text)
    if match := _FLOOR.fullmatch(value):
        return match.group(1)
    if match := _BASEMENT.fullmatch(value):
        return f"-{match.group(1)}"
    return text


# The file's columns: a header may be the code or the label in either language, a kind its
# code or its label ("工作室", "Studio"), numbers as pages show them ("2 层", "30 m²", "¥80").
SHEET = Sheet(
    Column("code", _l("Code"), required=True, example="2-O01"),
    Column("kind", _l("Kind"), required=True, choice=Choice.of(KINDS), example="office"),
    Column("floor", _l("Floor"), required=True, example="2", clean=floor_text),
    Column(
        "area_m2",
        _l("Area m²"),
        required=True,
        example="30.00",
        hint=_l("m², at most two decimals"),
        clean=number_text("m²", "m2", "平方米", "平米", "sqm"),
    ),
    Column("seats", _l("Seats"), example="4", hint=_l("Empty: 0.")),
    Column(
        "rent_per_m2_yuan",
        _l("Rent per m² and month (yuan)"),
        example="80.00",
        hint=_l("Yuan; empty: 0."),
        clean=number_text("¥", "元", "cny", "rmb"),
    ),
)
REQUIRED = SHEET.required
OPTIONAL = SHEET.optional
# CSV column -> unit field (rent travels in yuan, is kept in fen).
_FIELDS = {"rent_per_m2_yuan": "rent_fen_per_m2"}


def template_csv() -> bytes:
    """The downloadable template: every column and one example row, in the page's language."""
    return SHEET.template()


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
    good = _check_rows(SHEET.read(data, errors), errors)
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
