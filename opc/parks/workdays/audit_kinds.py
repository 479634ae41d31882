"""How the audit log shows a park's working calendar (opc.audit.registry)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from opc.audit.registry import RecordKind, register
from opc.core.dates import format_day
from opc.parks.workdays.models import CalendarOverride, CalendarYear


def register_kinds() -> None:
    register(
        RecordKind(
            CalendarYear,
            _l("Working calendar year"),
            url=lambda y: url_for("workdays.show", park_id=y.park_id, year=y.year),
            name=lambda y: str(y.year),
            fields={"year": _l("Year"), "complete": _l("Complete")},
        )
    )
    register(
        RecordKind(
            CalendarOverride,
            _l("Working calendar override"),
            url=lambda o: url_for(
                "workdays.show", park_id=o.calendar_year.park_id, year=o.day.year
            ),
            name=lambda o: format_day(o.day),
            load=(joinedload(CalendarOverride.calendar_year),),
            fields={
                "day": _l("Day"),
                "kind": _l("The day is"),
                "works_until": _l("Work stops at"),
                "note": _l("Note"),
            },
        )
    )
