"""Forms for team profiles, applications, lifecycle steps, invitations and imports.

Field rules that need the database or a standard (credit code, unique names) are checked
by the operations; their errors land on these fields through BaseForm.apply_error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from opc.auth.operations import MIN_PASSWORD
from opc.core.forms import BaseForm, DayField, int_or_none
from opc.teams.arrival import ARRIVAL_STATUSES
from opc.teams.labels import KINDS, STATUSES, TRACKS
from opc.teams.models import TeamStatus
from opc.teams.operations import PROFILE_FIELDS, clean_profile


class ProfileForm(BaseForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired()])
    name_en = StringField(_l("Name (English)"))
    track = SelectField(_l("Track"), choices=[SelectChoice(k, v) for k, v in TRACKS.items()])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k, v) for k, v in KINDS.items()], default="company"
    )
    legal_name = StringField(_l("Legal entity name"))
    uscc = StringField(
        _l("Unified Social Credit Code"),
        description=_l("18 characters, as on the business licence; leave empty if none."),
    )
    founded_on = DayField(
        _l("Founded on"),
        validators=[Optional()],
        description=_l("The legal entity's founding date, as on the business licence."),
    )
    description = TextAreaField(_l("What the team does"))
    contact_name = StringField(_l("Contact person"))
    contact_email = EmailField(_l("Contact e-mail"))
    contact_phone = StringField(_l("Contact phone"))

    def profile(self) -> dict[str, Any]:
        """The profile values, as the operations take them."""
        return {name: getattr(self, name).data or "" for name in PROFILE_FIELDS}

    def value_checks(self) -> list[Callable[[], Any]]:
        # The credit code's check character and the other rules of the profile, reported
        # with the form's own errors rather than after they are fixed.
        return [lambda: clean_profile(self.profile())]


class ParkChoiceMixin:
    park_id = SelectField(
        _l("Park"), coerce=int_or_none, validators=[DataRequired()], validate_choice=True
    )


class NewTeamForm(ParkChoiceMixin, ProfileForm):
    """Staff add a team to one of their parks: an applicant today, or a team that arrives
    with its past (opc.teams.arrival)."""

    arrives_as = SelectField(_l("Arrives as"), default=TeamStatus.APPLICANT.value)
    since = DayField(
        _l("Since"),
        validators=[Optional()],
        description=_l("The day it reached that status; empty: today."),
    )

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.arrives_as.choices = [
            SelectChoice(s.value, str(STATUSES[s.value])) for s in ARRIVAL_STATUSES
        ]

    def arrival(self) -> dict[str, Any]:
        """The status the team arrives with and its day, as create_team takes them."""
        return {"status": self.arrives_as.data, "since": self.since.data}


class ApplyForm(ParkChoiceMixin, ProfileForm):
    """The public application to join a park."""

    contact_name = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=100)])
    contact_email = EmailField(
        _l("Contact e-mail"), validators=[DataRequired(), Email(), Length(max=254)]
    )


class TransitionForm(BaseForm):
    to = StringField(validators=[DataRequired()])
    on = DayField(_l("Date"), validators=[Optional()], description=_l("Leave empty for today."))
    note = StringField(_l("Note"), validators=[Length(max=1000)])


class StepForm(BaseForm):
    """A step that asks first (opc.teams.labels.CONFIRMED_STEPS): its date and a note,
    which for a refusal is its reason (the operation requires it)."""

    on = DayField(_l("Date"), validators=[Optional()], description=_l("Leave empty for today."))
    note = TextAreaField(_l("Note"), validators=[Length(max=1000)])


class InviteForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])


class AcceptInvitationForm(BaseForm):
    name = StringField(_l("Your name"), validators=[Length(max=200)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(min=MIN_PASSWORD, max=1024)]
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[EqualTo("password", message=_l("Passwords differ."))],
    )


class ImportForm(BaseForm):
    park_id = SelectField(_l("Park"), coerce=int_or_none, validators=[DataRequired()])
    file = FileField(_l("CSV file"), validators=[FileRequired()])
