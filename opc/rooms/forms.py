"""Forms of the rooms pages: parse and render; the operations check the values. Times are
typed as HH:MM on a park-local day; a time that is no time is a field error here, the
rest (grid, hours, overlap, quota) is the operation's."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from opc.core.dates import date_problem
from opc.core.forms import BaseForm, DayField
from opc.rooms.labels import BOOKABLE_BY

_CLOCK = re.compile(r"([01]?[0-9]|2[0-4]):([0-5][0-9])")
WEEKDAYS = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)


def minute_of(text: str | None) -> int | None:
    """ "HH:MM" as minutes from midnight (24:00 is the end of the day); None if no time."""
    found = _CLOCK.fullmatch(text or "")
    if found is None:
        return None
    minute = int(found.group(1)) * 60 + int(found.group(2))
    return minute if minute <= 24 * 60 else None


class ClockField(StringField):
    """A time of day typed HH:MM (24:00 allowed: the end of the day)."""

    def pre_validate(self, form: Any) -> None:
        if minute_of(self.data) is None:
            raise ValidationError(_("A time of day, like 09:30."))

    @property
    def minute(self) -> int | None:
        return minute_of(self.data)


class BookingForm(BaseForm):
    day = DayField(_l("Date"))
    start = ClockField(_l("From"))
    end = ClockField(_l("To"))
    title = StringField(_l("What for (optional)"))
    team_id = SelectField(_l("Team"), choices=[], validate_choice=False)

    def validate_day(self, field: Any) -> None:
        # `instants` builds the times from the day before the operation sees them: a
        # missing day or one past the calendar would fail there, not as a field error.
        if field.data is None:
            raise ValidationError(_("A date is required."))
        if problem := date_problem(field.data):
            raise ValidationError(problem)

    def instants(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The start and end as instants of the park-local day (the end may be 24:00)."""
        day = datetime.combine(self.day.data, time(0), tz)
        start, end = self.start.minute or 0, self.end.minute or 0
        return _at(day, start, tz), _at(day, end, tz)


def _at(midnight: datetime, minute: int, tz: ZoneInfo) -> datetime:
    """The wall-clock minute of the day in the park's zone (24:00: the next midnight)."""
    naive = midnight.replace(tzinfo=None) + timedelta(minutes=minute)
    return naive.replace(tzinfo=tz)


class CancelForm(BaseForm):
    reason = TextAreaField(_l("Reason (told to the team)"))


class RoomForm(BaseForm):
    opens_minute = ClockField(_l("Opens"))
    closes_minute = ClockField(_l("Closes"))
    weekdays = SelectMultipleField(
        _l("Open on"),
        choices=[SelectChoice(str(n), label) for n, label in enumerate(WEEKDAYS)],
        validate_choice=False,
    )
    slot_minutes = StringField(_l("Slot length (minutes)"))
    bookable_by = SelectField(
        _l("Who may book"),
        choices=[SelectChoice(code, label) for code, label in BOOKABLE_BY.items()],
        validate_choice=False,
    )
    free_hours_per_month = StringField(_l("Free hours per team a month"))
    rate_yuan_per_hour = StringField(_l("Rate per hour beyond them (¥; empty: none)"))
    active = BooleanField(_l("Open for booking"))

    def terms(self) -> dict[str, Any]:
        """The terms as set_room takes them (text where the operation parses it)."""
        days = sum(
            1 << int(d)
            for d in self.weekdays.data or []
            if d in {"0", "1", "2", "3", "4", "5", "6"}
        )
        return {
            "opens_minute": _or_text(self.opens_minute),
            "closes_minute": _or_text(self.closes_minute),
            "weekdays": days,
            "slot_minutes": self.slot_minutes.data or "",
            "bookable_by": self.bookable_by.data,
            "free_hours_per_month": self.free_hours_per_month.data or "",
            "rate_yuan_per_hour": self.rate_yuan_per_hour.data or None,
            "active": bool(self.active.data),
        }


def _or_text(field: ClockField) -> Any:
    """The minute typed, or the text as typed (the operation refuses it on its field)."""
    return field.minute if field.minute is not None else field.data or ""
