"""Changing a park's working calendar: admins add and remove overrides, mark a year complete
and set the working hours. Every change is audited (the models are Audited)."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from opc.core.dates import MAX_DATE, MIN_DATE, check_dates, format_day
from opc.core.db import lock, retrying, transaction
from opc.core.errors import NotFound, RuleViolation, ValidationFailed
from opc.core.permissions import require_actor
from opc.core.values import is_id, text_problem, whole_number
from opc.parks.models import Park
from opc.parks.permissions import can_manage_parks
from opc.parks.settings.operations import change_settings, clean_settings
from opc.parks.workdays.calendar import HALF, KINDS
from opc.parks.workdays.hours import ENDS, KEYS, LUNCH_ENDS, LUNCH_STARTS, STARTS, WorkingHours
from opc.parks.workdays.hours import minute_of as _minute
from opc.parks.workdays.models import MAX_NOTE, CalendarOverride, CalendarYear
from opc.parks.workdays.queries import forget


def _locked_park(park: Park, actor: Any) -> Park:
    locked = lock(Park, park.id)  # one writer of a park's calendar at a time
    if locked is None:
        raise NotFound("not_found", _("Not found."))
    require_actor(can_manage_parks, actor, locked)
    return locked


def _year(session: Any, park_id: int, year: int) -> CalendarYear:
    row = session.scalar(
        select(CalendarYear).where(CalendarYear.park_id == park_id, CalendarYear.year == year)
    )
    if row is None:
        row = CalendarYear(park_id=park_id, year=year, complete=False)
        session.add(row)
        session.flush()
    return row


def check_override(day: Any, kind: Any, works_until: Any, note: Any) -> None:
    """ValidationFailed naming every bad value of an override at once."""
    errors: dict[str, list[str]] = {}
    if not isinstance(day, date):
        errors["day"] = [_("A date is required.")]
    if kind not in KINDS:
        errors["kind"] = [_("An override makes a day off, working or a half day.")]
    if kind == HALF and not isinstance(works_until, time):
        errors["works_until"] = [_("A half day needs the time work stops.")]
    elif kind == HALF and works_until == time(0):
        errors["works_until"] = [_("A half day ends within the day.")]
    elif kind != HALF and works_until is not None:
        errors["works_until"] = [_("Only a half day has a time work stops.")]
    if not isinstance(note, str):
        errors["note"] = [_("Must be text.")]
    elif len(note) > MAX_NOTE:
        errors["note"] = [_("At most %(n)d characters.", n=MAX_NOTE)]
    elif problem := text_problem(note):
        errors["note"] = [problem]
    if errors:
        raise ValidationFailed(errors)
    check_dates(day=day)


@retrying
def add_override(
    park: Park,
    *,
    actor: Any,
    day: date,
    kind: str,
    works_until: time | None = None,
    note: str = "",
) -> CalendarOverride:
    """Decide how one day of the park works; it wins over the package. A day has one
    override (409 `override_exists`: remove it first)."""
    check_override(day, kind, works_until, note)
    with transaction(actor) as session:
        _locked_park(park, actor)
        row = _year(session, park.id, day.year)
        taken = session.scalar(
            select(CalendarOverride).where(
                CalendarOverride.year_id == row.id, CalendarOverride.day == day
            )
        )
        if taken is not None:
            raise RuleViolation(
                "override_exists",
                _("%(day)s has an override already: remove it first.", day=format_day(day)),
                conflict={"override_id": taken.id},
            )
        override = CalendarOverride(
            year_id=row.id,
            day=day,
            kind=kind,
            works_until=works_until.hour * 60 + works_until.minute if works_until else None,
            note=note,
        )
        session.add(override)
        session.flush()
    forget(park.id)
    return override


@retrying
def remove_override(park: Park, override_id: int, *, actor: Any) -> None:
    """Let the package (or the weekdays of a complete year) decide the day again."""
    with transaction(actor) as session:
        _locked_park(park, actor)
        override = (
            session.scalar(
                select(CalendarOverride)
                .join(CalendarYear, CalendarYear.id == CalendarOverride.year_id)
                .where(CalendarOverride.id == override_id, CalendarYear.park_id == park.id)
            )
            if is_id(override_id)
            else None
        )
        if override is None:
            raise NotFound("not_found", _("Not found."))
        session.delete(override)
        session.flush()
    forget(park.id)


@retrying
def mark_year(park: Park, year: Any, *, actor: Any, complete: bool) -> CalendarYear:
    """Declare that a year's holidays and adjusted working days are all entered as overrides
    (the calendar then knows the year: weekdays work, except as overridden), or take it back."""
    try:
        year = whole_number(year, MIN_DATE.year, MAX_DATE.year)
    except ValueError as exc:
        raise ValidationFailed({"year": [str(exc)]}) from exc
    with transaction(actor) as session:
        _locked_park(park, actor)
        row = _year(session, park.id, year)
        row.complete = bool(complete)
        session.flush()
    forget(park.id)
    return row


def check_hours(values: dict[str, Any]) -> WorkingHours:
    """The hours the four settings give; ValidationFailed when they are out of order."""
    minutes = {key: _minute(values[key]) for key in KEYS}
    errors: dict[str, list[str]] = {}
    if minutes[ENDS.key] <= minutes[STARTS.key]:
        errors[ENDS.key] = [_("The working day must end after it starts.")]
    if minutes[LUNCH_ENDS.key] < minutes[LUNCH_STARTS.key]:
        errors[LUNCH_ENDS.key] = [_("The lunch break must end after it starts.")]
    elif not minutes[STARTS.key] <= minutes[LUNCH_STARTS.key] <= minutes[ENDS.key] or not (
        minutes[STARTS.key] <= minutes[LUNCH_ENDS.key] <= minutes[ENDS.key]
    ):
        errors[LUNCH_STARTS.key] = [_("The lunch break must lie within the working day.")]
    if errors:
        raise ValidationFailed(errors)
    return WorkingHours.of(*(minutes[key] for key in KEYS))


def set_hours(park: Park, *, actor: Any, values: dict[str, Any]) -> WorkingHours:
    """Set the park's working hours (four settings, checked together so they stay in order)."""
    cleaned = clean_settings({key: values.get(key) for key in KEYS})
    hours = check_hours(cleaned)
    change_settings(park, actor=actor, values=cleaned)
    forget(park.id)
    return hours
