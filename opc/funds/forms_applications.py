"""Forms of the application portal: parse and render; the operations check the values.

The milestones and the answers are rows of the form (FieldList): a few empty rows beyond
those filled, so that a team adds one by filling it; a row left empty is no row.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from opc.core.forms import BaseForm, DayField, MoneyField
from opc.core.money import parse_yuan
from opc.funds.operations.application_content import MAX_ANSWERS, MAX_MILESTONES

# Empty rows offered beyond the filled ones.
SPARE_ROWS = 2


class MilestoneRow(Form):
    title = StringField(_l("Milestone"))
    due = DayField(_l("Due"), validators=[Optional()])
    amount_yuan = StringField(_l("Amount (yuan)"))

    def filled(self) -> bool:
        return bool(self.title.data or self.due.data or self.amount_yuan.data)


class AnswerRow(Form):
    question = StringField(_l("Question"))
    answer = TextAreaField(_l("Answer"))


def _fen(text: str) -> Any:
    """Yuan typed in a row as fen; what is no amount is left for the operation to refuse."""
    try:
        return parse_yuan(text)
    except ValueError:
        return None


class ApplicationForm(BaseForm):
    class Meta(BaseForm.Meta):
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            # Rows take no filters (WTForms refuses them); the operation strips their texts.
            if unbound_field.field_class in (FieldList, FormField):
                return unbound_field.bind(form=form, **options)
            return super().bind_field(form, unbound_field, options)

    title = StringField(_l("Title"))
    amount_yuan = MoneyField(_l("Amount requested (yuan)"))
    purpose = TextAreaField(_l("Purpose: what the money is for"))
    milestones = FieldList(FormField(MilestoneRow), max_entries=MAX_MILESTONES)
    answers = FieldList(FormField(AnswerRow), max_entries=MAX_ANSWERS)

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        for rows, spare, most in (
            (self.milestones, SPARE_ROWS, MAX_MILESTONES),
            (self.answers, 1, MAX_ANSWERS),
        ):
            filled = sum(1 for entry in rows.entries if _filled(entry))
            while len(rows.entries) < min(filled + spare, most):
                rows.append_entry()

    def values(self) -> dict[str, Any]:
        milestones = [
            {
                "title": row.form.title.data or "",
                "due": row.form.due.data,
                "amount_fen": _fen(row.form.amount_yuan.data or ""),
            }
            for row in self.milestones.entries
            if row.form.filled()
        ]
        answers = {
            (row.form.question.data or "").strip(): row.form.answer.data or ""
            for row in self.answers.entries
            if (row.form.question.data or "").strip() or (row.form.answer.data or "").strip()
        }
        return {
            "title": self.title.data or "",
            "amount_fen": self.amount_yuan.fen,
            "purpose": self.purpose.data or "",
            "milestones": milestones,
            "answers": answers,
        }


def _filled(entry: Any) -> bool:
    form = entry.form
    if isinstance(form, MilestoneRow):
        return form.filled()
    return bool(form.question.data or form.answer.data)


def form_data(application: Any) -> dict[str, Any]:
    """An application's content as the form's initial data."""
    return {
        "title": application.title,
        "amount_yuan": application.amount_fen,
        "purpose": application.purpose,
        "milestones": [
            {
                "title": m["title"],
                "due": date.fromisoformat(m["due"]),
                "amount_yuan": m["amount_yuan"],
            }
            for m in application.milestones or []
        ],
        "answers": [{"question": q, "answer": a} for q, a in (application.answers or {}).items()],
    }


class AttachmentForm(BaseForm):
    file = FileField(_l("File (PDF, PNG, JPEG, XLSX or DOCX)"))
    document = SelectField(_l("This file is"))

    def __init__(self, *args: Any, documents: list[str] = (), **kw: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kw)
        self.document.choices = [("", str(_l("another file")))] + [(d, d) for d in documents]


class ConfirmForm(BaseForm):
    """A confirmation: the CSRF token only."""


class WithdrawForm(BaseForm):
    note = TextAreaField(_l("Why (optional)"))
