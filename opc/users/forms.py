"""The admin's form for a new user: it parses; opc.auth.operations checks the values."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired

from opc.auth.labels import ROLES
from opc.auth.models import Role
from opc.core.forms import BaseForm


class UserForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired()])
    name = StringField(_l("Name"))
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, ROLES[r.value]) for r in Role])
    team_id = SelectField(
        _l("Team"), coerce=lambda v: int(v) if v else None, choices=[], validate_choice=False
    )
    park_ids = SelectMultipleField(
        _l("Parks (staff)"), coerce=int, choices=[], validate_choice=False
    )
    password = PasswordField(_l("Password"), validators=[DataRequired()])
