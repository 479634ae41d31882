from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, StopValidation

from opc.core.forms import BaseForm

MAX_AREA = Decimal("9999999999.99")  # Numeric(12, 2)
MAX_TEAM_CAP = 100_000


def exact_area(form: Any, field: Any) -> None:
    """A finite number of m² with at most two decimals (checked before any range)."""
    value = field.data
    if value is None:
        return
    if not value.is_finite():
        raise StopValidation(_l("Not a valid number."))
    if value != value.quantize(Decimal("0.01")):
        raise StopValidation(_l("At most two decimals."))


class ParkForm(BaseForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=200)])
    total_area_m2 = DecimalField(
        _l("Total area (m²)"),
        places=2,
        validators=[InputRequired(), exact_area, NumberRange(min=Decimal("0.01"), max=MAX_AREA)],
    )
    team_cap = IntegerField(
        _l("Team cap"), validators=[InputRequired(), NumberRange(min=0, max=MAX_TEAM_CAP)]
    )
    timezone = StringField(
        _l("Timezone"), default="Asia/Shanghai", validators=[DataRequired(), Length(max=64)]
    )
