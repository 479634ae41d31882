"""Forms of the fund and call pages: parse and render; the operations check the values.

A call's open and close are typed in the park's timezone (`<input type="datetime-local">`)
and handed on as instants of that zone. The criteria are rows (name, English name, weight):
a few empty rows beyond the filled ones, a row left empty is no row. The pool, the tracks
and the team statuses are checkboxes; the required documents one per line.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from opc.core.forms import BaseForm, MoneyField, int_or_none
from opc.funds.operations.calls import MAX_CRITERIA
from opc.teams.labels import STATUSES, TRACKS

SPARE_ROWS = 2  # empty criteria rows offered beyond the filled ones
LOCAL = "%Y-%m-%dT%H:%M"


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class FundForm(BaseForm):
    park_id = SelectField(_l("Park"), coerce=int_or_none)
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired()])
    name_en = StringField(_l("Name (English)"))
    description = TextAreaField(_l("Description"))
    budget_yuan = MoneyField(_l("Budget (yuan)"), validators=[DataRequired()])

    def values(self) -> dict[str, Any]:
        return {
            "name_zh": self.name_zh.data or "",
            "name_en": self.name_en.data or "",
            "description": self.description.data or "",
            "budget_fen": self.budget_yuan.fen,
        }


class CriterionRow(Form):
    name_zh = StringField(_l("Criterion"))
    name_en = StringField(_l("In English"))
    weight = StringField(_l("Weight (%)"))

    def filled(self) -> bool:
        return bool(self.name_zh.data or self.name_en.data or self.weight.data)


class CallForm(BaseForm):
    class Meta(BaseForm.Meta):
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            """BaseForm's stripping filter everywhere but on the criteria's rows (FieldList
            and FormField take no filters; the operation strips the rows' texts)."""
            if unbound_field.field_class in (FieldList, FormField):
                return unbound_field.bind(form=form, **options)
            return super().bind_field(form, unbound_field, options)

    title_zh = StringField(_l("Title (Chinese)"), validators=[DataRequired()])
    title_en = StringField(_l("Title (English)"))
    description_zh = TextAreaField(_l("Description (Chinese)"))
    description_en = TextAreaField(_l("Description (English)"))
    opens_at = DateTimeLocalField(_l("Opens"), format=LOCAL, validators=[InputRequired()])
    closes_at = DateTimeLocalField(_l("Closes"), format=LOCAL, validators=[InputRequired()])
    budget_yuan = MoneyField(_l("Budget (yuan)"), validators=[DataRequired()])
    ceiling_yuan = MoneyField(_l("Ceiling per team (yuan)"), validators=[DataRequired()])
    criteria = FieldList(FormField(CriterionRow), max_entries=MAX_CRITERIA)
    required_documents = TextAreaField(
        _l("Required documents"), description=_l("One per line, e.g. 商业计划书")
    )
    tracks = CheckboxesField(_l("Eligible tracks (none chosen: all)"))
    team_statuses = CheckboxesField(_l("Eligible team statuses (none chosen: all)"))
    reviewers_per_application = StringField(_l("Reviewers per application"), default="2")
    disagreement_threshold = StringField(
        _l("Disagreement threshold (points of 10)"),
        default="3",
        description=_l("Reviews whose weighted scores differ by more are flagged."),
    )
    reviewer_ids = CheckboxesField(_l("Expert pool"), validators=[Optional()])

    def __init__(
        self,
        *args: Any,
        timezone: str,
        reviewers: list[Any] = (),  # type: ignore[assignment]
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.timezone = timezone
        self.tracks.choices = [SelectChoice(k, str(v)) for k, v in TRACKS.items()]
        self.team_statuses.choices = [SelectChoice(k, str(v)) for k, v in STATUSES.items()]
        self.reviewer_ids.choices = [
            SelectChoice(str(u.id), f"{u.name or u.email} · {u.email}") for u in reviewers
        ]
        filled = sum(1 for entry in self.criteria.entries if entry.form.filled())
        while len(self.criteria.entries) < min(filled + SPARE_ROWS, MAX_CRITERIA):
            self.criteria.append_entry()

    def _instant(self, local: datetime | None) -> datetime | None:
        return local.replace(tzinfo=ZoneInfo(self.timezone)) if local else None

    def values(self) -> dict[str, Any]:
        documents = (self.required_documents.data or "").splitlines()
        return {
            "title_zh": self.title_zh.data or "",
            "title_en": self.title_en.data or "",
            "description_zh": self.description_zh.data or "",
            "description_en": self.description_en.data or "",
            "opens_at": self._instant(self.opens_at.data),
            "closes_at": self._instant(self.closes_at.data),
            "budget_fen": self.budget_yuan.fen,
            "ceiling_fen": self.ceiling_yuan.fen,
            "criteria": [
                {
                    "name_zh": row.form.name_zh.data or "",
                    "name_en": row.form.name_en.data or "",
                    "weight": row.form.weight.data or "",
                }
                for row in self.criteria.entries
                if row.form.filled()
            ],
            "required_documents": [d.strip() for d in documents if d.strip()],
            "tracks": self.tracks.data or [],
            "team_statuses": self.team_statuses.data or [],
            "reviewers_per_application": self.reviewers_per_application.data or "",
            "disagreement_threshold": self.disagreement_threshold.data or "",
            "reviewer_ids": [int_or_none(v) or v for v in self.reviewer_ids.data or []],
        }


def call_data(call: Any, timezone: str) -> dict[str, Any]:
    """A call's terms as the form's initial data (instants in the park's zone)."""
    zone = ZoneInfo(timezone)
    return {
        "title_zh": call.title_zh,
        "title_en": call.title_en,
        "description_zh": call.description_zh,
        "description_en": call.description_en,
        "opens_at": call.opens_at.astimezone(zone).replace(tzinfo=None),
        "closes_at": call.closes_at.astimezone(zone).replace(tzinfo=None),
        "budget_yuan": call.budget_fen,
        "ceiling_yuan": call.ceiling_fen,
        "criteria": [
            {"name_zh": c.name_zh, "name_en": c.name_en, "weight": str(c.weight)}
            for c in call.criteria
        ],
        "required_documents": "\n".join(call.required_documents or []),
        "tracks": list(call.tracks or []),
        "team_statuses": list(call.team_statuses or []),
        "reviewers_per_application": str(call.reviewers_per_application),
        "disagreement_threshold": f"{call.disagreement_threshold.normalize():f}",
        "reviewer_ids": [str(u.id) for u in call.reviewers],
    }
