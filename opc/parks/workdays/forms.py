"""The calendar page's forms: they parse; opc.parks.workdays.operations checks the values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TimeField
from wtforms.validators import InputRequired, Length, Optional

from opc.core.forms import BaseForm, DayField
from opc.parks.workdays.calendar import HALF, OFF, WORKING
from opc.parks.workdays.hours import ENDS, LUNCH_ENDS, LUNCH_STARTS, QUARTERS, STARTS
from opc.parks.workdays.models import MAX_NOTE
from opc.parks.workdays.operations import check_override

KIND_LABELS = {OFF: _l("Day off"), WORKING: _l("Working day"), HALF: _l("Half day")}


class OverrideForm(BaseForm):
    day = DayField(_l("Day"), validators=[InputRequired()])
    kind = SelectField(
        _l("The day is"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()]
    )
    works_until = TimeField(_l("Work stops at (half days)"), validators=[Optional()])
    note = StringField(_l("Note"), default="", validators=[Length(max=MAX_NOTE)])

    def value_checks(self) -> list[Callable[[], Any]]:
        return [
            lambda: check_override(
                self.day.data, self.kind.data, self.works_until.data, self.note.data or ""
            )
        ]


class YearForm(BaseForm):
    complete = BooleanField(_l("Every holiday and adjusted working day of the year is entered"))


def _times(label: Any) -> SelectField:
    return SelectField(label, choices=[SelectChoice(k, v) for k, v in QUARTERS.items()])


class HoursForm(BaseForm):
    workday_starts = _times(STARTS.label)
    lunch_starts = _times(LUNCH_STARTS.label)
    lunch_ends = _times(LUNCH_ENDS.label)
    workday_ends = _times(ENDS.label)
