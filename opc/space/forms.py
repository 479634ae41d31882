"""Forms of the space pages. The rules themselves are checked by the operations."""

from __future__ import annotations

import copy
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DecimalField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Optional

from opc.core.errors import DomainError
from opc.core.forms import BaseForm, DayField, LastDayField, MoneyField, int_or_none
from opc.space.labels import KINDS


class UnitForm(BaseForm):
    code = StringField(_l("Code"), validators=[DataRequired()])
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    floor = IntegerField(_l("Floor"), validators=[InputRequired()])
    area_m2 = DecimalField(_l("Area (m²)"), places=2, validators=[InputRequired()])
    seats = IntegerField(_l("Seats"), default=0, validators=[InputRequired()])
    rent_fen_per_m2 = MoneyField(_l("Monthly rent per m² (yuan)"), default=0)

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.kind.choices = [SelectChoice(k, str(label)) for k, label in KINDS.items()]

    def values(self) -> dict[str, Any]:
        return {
            "code": self.code.data,
            "kind": self.kind.data,
            "floor": self.floor.data,
            "area_m2": self.area_m2.data,
            "seats": self.seats.data,
            "rent_fen_per_m2": self.rent_fen_per_m2.fen or 0,
        }


class PeriodForm(BaseForm):
    """A form with a `last_day` (inclusive) standing for the operations' exclusive `end`:
    their refusals about `end` are shown on it."""

    def apply_error(self, error: DomainError) -> bool:
        if "end" in error.fields:
            error = copy.copy(error)
            error.fields = {("last_day" if k == "end" else k): v for k, v in error.fields.items()}
        return super().apply_error(error)


class AllocateForm(PeriodForm):
    """Allocate a unit (chosen on the unit's page) to a team (chosen here)."""

    team_id = SelectField(_l("Team"), coerce=int_or_none, validators=[DataRequired()])
    start = DayField(_l("First day"), validators=[InputRequired()])
    last_day = LastDayField(
        _l("Last day"),
        validators=[Optional()],
        description=_l("The last day the team holds the unit; empty: open-ended."),
    )


class TeamAllocateForm(PeriodForm):
    """Allocate a unit (chosen from the list of free ones) to the team of the page."""

    unit_id = IntegerField(_l("Unit"), validators=[InputRequired()])
    start = DayField(_l("First day"), validators=[InputRequired()])
    last_day = LastDayField(_l("Last day"), validators=[Optional()])


class EndForm(PeriodForm):
    last_day = LastDayField(
        _l("Last day"),
        validators=[InputRequired()],
        description=_l("The last day the team holds the unit."),
    )


class MoveForm(BaseForm):
    unit_id = SelectField(_l("To unit"), coerce=int_or_none, validators=[DataRequired()])
    on = DayField(_l("On"), validators=[InputRequired()])


class ImportForm(BaseForm):
    file = FileField(_l("CSV file"), validators=[FileRequired()])
