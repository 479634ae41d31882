"""Forms of the directory's pages: parse, never validate (the operations do)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from opc.core.forms import BaseForm, int_or_none
from opc.directory.labels import OUTCOMES


class TagsField(SelectMultipleField):
    """Skills as a list of checkboxes (their codes)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(BaseForm):
    offers = TagsField(_l("What the team offers"))
    offers_text = TextAreaField(_l("More on what the team offers (Chinese or English)"))
    needs = TagsField(_l("What the team needs"))
    needs_text = TextAreaField(_l("More on what the team needs (Chinese or English)"))
    hidden = BooleanField(_l("Hide the team from the directory and from matches"))


class IntroductionForm(BaseForm):
    team_a_id = SelectField(_l("Team"), coerce=int_or_none, validate_choice=False)
    team_b_id = SelectField(_l("Introduce to"), coerce=int_or_none, validate_choice=False)
    note = TextAreaField(_l("Note to both teams"))


class OutcomeForm(BaseForm):
    outcome = SelectField(
        _l("Outcome"),
        choices=[SelectChoice(k, v) for k, v in OUTCOMES.items()],
        validate_choice=False,
    )


class SkillForm(BaseForm):
    code = StringField(_l("Code"))
    name_zh = StringField(_l("Name (Chinese)"))
    name_en = StringField(_l("Name (English)"))
