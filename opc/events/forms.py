"""Forms of the event pages: parse and render; the operations check the values.

An event's day and times are typed in the park's timezone and handed on as instants of that
zone (as the funds' call form does); an event that runs past midnight gives its last day.
The venue is a room of the park (a select) or a place outside (text); the registration
window is optional (the operation opens it now and closes it at the start).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Optional

from opc.core.errors import DomainError, ValidationFailed
from opc.core.forms import BaseForm, DayField, int_or_none
from opc.events.labels import KINDS, WAITLIST_MODES
from opc.events.operations.events import INSTANTS, clean

LOCAL = "%Y-%m-%dT%H:%M"
# The operation's names of the instants, as this form's fields (a day and two times).
_FIELD_OF = {"starts_at": "starts", "ends_at": "ends"}


def _on_fields(fields: dict[str, Any]) -> dict[str, Any]:
    return {_FIELD_OF.get(name, name): reasons for name, reasons in fields.items()}


class EventForm(BaseForm):
    kind = SelectField(_l("Kind"), validate_choice=False)
    title_zh = StringField(_l("Title (Chinese)"), validators=[InputRequired()])
    title_en = StringField(_l("Title (English)"))
    description_zh = TextAreaField(_l("Description (Chinese)"))
    description_en = TextAreaField(_l("Description (English)"))
    venue_unit_id = SelectField(_l("Room of the park"), validate_choice=False)
    venue_text = StringField(_l("Or a place outside"))
    day = DayField(_l("Day"), validators=[InputRequired()])
    starts = TimeField(_l("Starts"), validators=[InputRequired()])
    ends = TimeField(_l("Ends"), validators=[InputRequired()])
    last_day = DayField(_l("Last day (when it runs past midnight)"), validators=[Optional()])
    capacity = StringField(_l("Places"), validators=[InputRequired()])
    registration_opens_at = DateTimeLocalField(
        _l("Registration opens"), format=LOCAL, validators=[Optional()]
    )
    registration_closes_at = DateTimeLocalField(
        _l("Registration closes"), format=LOCAL, validators=[Optional()]
    )
    public = BooleanField(_l("Public: outside guests may register on the public page"))
    waitlist_mode = SelectField(_l("When a place frees up"), validate_choice=False)
    offer_hours = StringField(_l("Hours to accept an offered place"), default="24")

    def __init__(self, *args: Any, timezone: str, rooms: list[Any] = (), **kw: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kw)
        self.timezone = timezone
        self.kind.choices = [SelectChoice(k, str(v)) for k, v in KINDS.items()]
        self.waitlist_mode.choices = [SelectChoice(k, str(v)) for k, v in WAITLIST_MODES.items()]
        self.venue_unit_id.choices = [SelectChoice("", str(_l("No room of the park")))] + [
            SelectChoice(str(u.id), u.code) for u in rooms
        ]

    def _instant(self, day: date | None, at: time | None) -> datetime | None:
        if day is None or at is None:
            return None
        return datetime.combine(day, at).replace(tzinfo=ZoneInfo(self.timezone))

    def _local(self, value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=ZoneInfo(self.timezone)) if value else None

    def value_checks(self) -> list[Callable[[], Any]]:
        return [self._check]

    def _check(self) -> None:
        """The operation's checks of each value (pure), on this form's fields; a time that
        did not parse is left to its field's own error."""
        given = {k: v for k, v in self.values().items() if v is not None or k not in INSTANTS}
        try:
            clean(given)
        except ValidationFailed as err:
            raise ValidationFailed(_on_fields(err.fields)) from err

    def apply_error(self, error: DomainError) -> bool:
        error.fields = _on_fields(error.fields)
        return super().apply_error(error)

    def values(self) -> dict[str, Any]:
        """The operation's values; an empty registration window is left out (create: the
        default window; change: as it is)."""
        values = self._values()
        for key in ("registration_opens_at", "registration_closes_at"):
            if values[key] is None:
                del values[key]
        return values

    def _values(self) -> dict[str, Any]:
        raw_unit = self.venue_unit_id.data or ""
        return {
            "kind": self.kind.data or "",
            "title_zh": self.title_zh.data or "",
            "title_en": self.title_en.data or "",
            "description_zh": self.description_zh.data or "",
            "description_en": self.description_en.data or "",
            # Not an id: handed on as typed, so that the operation names the field.
            "venue_unit_id": (int_or_none(raw_unit) or raw_unit) if raw_unit else None,
            "venue_text": self.venue_text.data or "",
            "starts_at": self._instant(self.day.data, self.starts.data),
            "ends_at": self._instant(self.last_day.data or self.day.data, self.ends.data),
            "capacity": self.capacity.data or "",
            "registration_opens_at": self._local(self.registration_opens_at.data),
            "registration_closes_at": self._local(self.registration_closes_at.data),
            "public": bool(self.public.data),
            "waitlist_mode": self.waitlist_mode.data or "",
            "offer_hours": self.offer_hours.data or "",
        }


def event_data(event: Any, timezone: str) -> dict[str, Any]:
    """An event's terms as the form's initial data (times in the park's zone)."""
    zone = ZoneInfo(timezone)
    starts, ends = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    return {
        "kind": event.kind,
        "title_zh": event.title_zh,
        "title_en": event.title_en,
        "description_zh": event.description_zh,
        "description_en": event.description_en,
        "venue_unit_id": str(event.venue_unit_id or ""),
        "venue_text": event.venue_text,
        "day": starts.date(),
        "starts": starts.time().replace(second=0, microsecond=0),
        "ends": ends.time().replace(second=0, microsecond=0),
        "last_day": ends.date() if ends.date() != starts.date() else None,
        "capacity": str(event.capacity),
        "registration_opens_at": event.registration_opens_at.astimezone(zone).replace(
            tzinfo=None, second=0, microsecond=0
        ),
        "registration_closes_at": event.registration_closes_at.astimezone(zone).replace(
            tzinfo=None, second=0, microsecond=0
        ),
        "public": event.public,
        "waitlist_mode": event.waitlist_mode,
        "offer_hours": str(event.offer_hours),
    }


class CancelEventForm(BaseForm):
    reason = TextAreaField(_l("Reason (told to those registered)"))


class GuestForm(BaseForm):
    """An outside guest's registration on the public page."""

    name = StringField(_l("Name"), validators=[InputRequired()])
    organisation = StringField(_l("Organisation"))
    email = EmailField(_l("E-mail"), validators=[InputRequired()])
    phone = TelField(_l("Phone"))


class ConfirmForm(BaseForm):
    """A button that changes something: the CSRF token only."""
