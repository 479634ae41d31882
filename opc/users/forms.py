"""The admin's form for a new user: it parses; opc.auth.operations checks the values."""

from collections.abc import Callable
from typing import Any

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
from opc.auth.operations import check_new_user
from opc.core.forms import BaseForm

# Least privilege first, and the default: a member sees only their own team (an admin
# everything), so a form sent as it came never makes an administrator.
ROLE_ORDER = (Role.MEMBER, Role.REVIEWER, Role.STAFF, Role.PROVIDER, Role.ADMIN)


class UserForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired()])
    name = StringField(_l("Name"))
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(r.value, ROLES[r]) for r in ROLE_ORDER],
        default=Role.MEMBER.value,
    )
    team_id = SelectField(
        _l("Team"), coerce=lambda v: int(v) if v else None, choices=[], validate_choice=False
    )
    park_ids = SelectMultipleField(
        _l("Parks (staff)"), coerce=int, choices=[], validate_choice=False
    )
    password = PasswordField(_l("Password"), validators=[DataRequired()])

    def value_checks(self) -> list[Callable[[], Any]]:
        return [
            lambda: check_new_user(
                self.email.data or "",
                role=self.role.data,
                password=self.password.data or None,
                name=self.name.data or "",
                team_id=self.team_id.data,
            )
        ]
