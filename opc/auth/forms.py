"""Forms for logging in, passwords, preferences and API tokens."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from opc.auth.labels import SCOPES
from opc.auth.operations import MIN_PASSWORD, TOKEN_SCOPES
from opc.core.forms import BaseForm


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class PasswordForm(BaseForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD, max=1024)]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("password", message=_l("Passwords differ."))],
    )
    revoke_tokens = BooleanField(_l("Also revoke my API tokens"))


class PreferencesForm(BaseForm):
    notify_by_email = BooleanField(_l("Also send me my notifications by e-mail"))
    locale = SelectField(
        _l("Language"), choices=[SelectChoice("zh", "中文"), SelectChoice("en", "English")]
    )


class TokenForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    scope = SelectField(_l("Scope"), choices=[SelectChoice(s, SCOPES[s]) for s in TOKEN_SCOPES])


class ForgotForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])


class ResetForm(BaseForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD, max=1024)]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("Passwords differ."))],
    )
    revoke_tokens = BooleanField(_l("Also revoke my API tokens"))


class ForceResetForm(BaseForm):
    """An administrator's reset of someone's password (opc.users' user page)."""

    revoke_tokens = BooleanField(_l("Also revoke their API tokens"))
