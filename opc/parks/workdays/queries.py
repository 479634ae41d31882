"""A park's working calendar from the database, and the functions other domains call.

`calendar_of(park)` reads the park's hours (one query) and its calendar years with their
overrides (one joined query); within a request it is loaded once per park and kept on
`flask.g`, so a queue page computing 200 SLA states reads the database twice, not 400 times.
The operations that change a calendar drop the kept copy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import g, has_app_context
from sqlalchemy import select

from opc.core.i18n import locale_code
from opc.extensions import db
from opc.parks.models import Park
from opc.parks.settings import values_of
from opc.parks.workdays.calendar import Override, WorkingCalendar
from opc.parks.workdays.hours import WorkingHours
from opc.parks.workdays.models import CalendarOverride, CalendarYear

_KEPT = "_working_calendars"


def load_calendar(park: Park) -> WorkingCalendar:
    """The park's calendar as stored now (two queries)."""
    hours = WorkingHours.from_settings(values_of(park.id))
    rows = db.session.execute(
        select(CalendarYear.year, CalendarYear.complete, CalendarOverride)
        .outerjoin(CalendarOverride, CalendarOverride.year_id == CalendarYear.id)
        .where(CalendarYear.park_id == park.id)
    ).all()
    overrides = {
        o.day: Override(o.day, o.kind, o.works_until, o.note, o.id) for _y, _c, o in rows if o
    }
    complete = frozenset(year for year, done, _o in rows if done)
    name = park.display_name(locale_code()) if has_app_context() else park.name_zh
    return WorkingCalendar(ZoneInfo(park.timezone), hours, overrides, complete, name)


def calendar_of(park: Park | WorkingCalendar) -> WorkingCalendar:
    """The park's calendar, loaded once per request (a calendar is returned as it is)."""
    if isinstance(park, WorkingCalendar):
        return park
    if not has_app_context():
        return load_calendar(park)
    kept: dict[int, WorkingCalendar] = g.setdefault(_KEPT, {})
    if park.id not in kept:
        kept[park.id] = load_calendar(park)
    return kept[park.id]


def forget(park_id: int) -> None:
    """Drop the request's copy of a park's calendar (it changed)."""
    if has_app_context():
        g.get(_KEPT, {}).pop(park_id, None)


def working_minutes(park: Park | WorkingCalendar, start: datetime, end: datetime) -> int:
    """Whole working minutes between two instants (negative when `end` comes first);
    UnknownYear when a day between them is in a year the calendar does not know."""
    return calendar_of(park).working_minutes(start, end)


def add_working_minutes(park: Park | WorkingCalendar, start: datetime, minutes: int) -> datetime:
    """The instant (in the park's zone) `minutes` of working time after `start`: an SLA's
    due time. UnknownYear when it would run into a year the calendar does not know."""
    return calendar_of(park).add_working_minutes(start, minutes)


def is_working_day(park: Park | WorkingCalendar, day: date) -> bool:
    """Whether the park works on its local `day` (a half day does); UnknownYear if unknown."""
    return calendar_of(park).is_working_day(day)


def year_row(park_id: int, year: int) -> CalendarYear | None:
    return db.session.scalar(
        select(CalendarYear).where(CalendarYear.park_id == park_id, CalendarYear.year == year)
    )


def overrides_of(park_id: int, year: int) -> list[CalendarOverride]:
    """A year's overrides in date order (the calendar page's list)."""
    return list(
        db.session.scalars(
            select(CalendarOverride)
            .join(CalendarYear, CalendarYear.id == CalendarOverride.year_id)
            .where(CalendarYear.park_id == park_id, CalendarYear.year == year)
            .order_by(CalendarOverride.day)
        )
    )


def unknown_next_year(calendar: WorkingCalendar, today: date) -> int | None:
    """Next year, when it is December and the calendar does not know it yet (the warning
    admins see, so that deadlines in January do not fail)."""
    if today.month == 12 and not calendar.knows(today.year + 1):
        return today.year + 1
    return None


def december_warnings(
    parks: list[Park], today_of: Callable[[Park], date]
) -> list[tuple[Park, int]]:
    """(park, year) for each park whose next year is unknown in its December."""
    out = []
    for park in parks:
        year = unknown_next_year(calendar_of(park), today_of(park))
        if year is not None:
            out.append((park, year))
    return out
