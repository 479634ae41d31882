"""How the audit log shows units and allocations (opc.audit.registry): a unit by its code,
an allocation by its unit and team, both linking to the unit's page; an allocation's end
as the last day held, as the pages show it."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from opc.audit.registry import RecordKind, register
from opc.core.dates import format_day, last_day
from opc.core.i18n import locale_code
from opc.space.labels import kind_label
from opc.space.models import Allocation, Unit


def last_day_text(end: Any) -> str:
    """A stored exclusive end (ISO) as the last day held; "" for open-ended."""
    day = last_day(date.fromisoformat(end)) if isinstance(end, str) else None
    return format_day(day) if day else str(_l("open-ended"))


def _allocation_name(allocation: Allocation) -> str:
    return f"{allocation.unit.code} · {allocation.team.display_name(locale_code())}"


def register_kinds() -> None:
    register(
        RecordKind(
            Unit,
            _l("Unit"),
            url=lambda unit: url_for("space.unit", unit_id=unit.id),
            fields={
                "floor": _l("Floor"),
                "area_m2": _l("Area m²"),
                "seats": _l("Seats"),
                "rent_fen_per_m2": _l("Rent per m² / month"),
            },
            values={"kind": kind_label},
        )
    )
    register(
        RecordKind(
            Allocation,
            _l("Allocation"),
            url=lambda allocation: url_for("space.unit", unit_id=allocation.unit_id),
            name=_allocation_name,
            load=(joinedload(Allocation.unit), joinedload(Allocation.team)),
            fields={"start": _l("First day"), "end": _l("Last day")},
            values={"end": last_day_text},
        )
    )
