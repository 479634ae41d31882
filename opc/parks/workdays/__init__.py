"""China's working calendar per park: public holidays off, adjusted working days (调休) on,
from the `chinesecalendar` package, with the park's working hours and the overrides its
admins enter. Service deadlines count working minutes with it:

    working_minutes(park, start, end), add_working_minutes(park, start, minutes),
    is_working_day(park, day)

A year the calendar does not know raises UnknownYear (409 `calendar_year_unknown`).
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from opc.core import nav
from opc.parks.permissions import can_view_park
from opc.parks.workdays import audit_kinds, views
from opc.parks.workdays.calendar import NoWorkingHours, UnknownYear, WorkingCalendar
from opc.parks.workdays.queries import (
    add_working_minutes,
    calendar_of,
    is_working_day,
    working_minutes,
)

__all__ = [
    "NoWorkingHours",
    "UnknownYear",
    "WorkingCalendar",
    "add_working_minutes",
    "calendar_of",
    "is_working_day",
    "working_minutes",
]


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    # Shown to whom the page answers (staff and admins): a member sees parks, not calendars.
    nav.add("workdays.index", _l("Working calendar"), can_view_park, order=85)
    audit_kinds.register_kinds()
