"""The admin's form for a new user."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from opc.auth.labels import ROLES
from opc.auth.models import Role
from opc.auth.operations import MIN_PASSWORD
from opc.core.forms import BaseForm


class UserForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, ROLES[r.value]) for r in Role])
    team_id = SelectField(
        _l("Team"), coerce=lambda v: int(v) if v else None, choices=[], validate_choice=False
    )
    park_ids = SelectMultipleField(
        _l("Parks (staff)"), coerce=int, choices=[], validate_choice=False
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(min=MIN_PASSWORD, max=1024)]
    )
