"""The park form: it parses; opc.parks.operations checks the values."""

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from opc.core.forms import BaseForm


class ParkForm(BaseForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=200)])
    total_area_m2 = DecimalField(
        _l("Total area (m²)"),
        places=2,
        validators=[InputRequired()],
    )
    team_cap = IntegerField(_l("Team cap"), validators=[InputRequired()])
    timezone = StringField(
        _l("Timezone"), default="Asia/Shanghai", validators=[DataRequired(), Length(max=64)]
    )
