"""Forms of the service pages: parse and render; the operations check the values."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField

from opc.core.forms import BaseForm
from opc.service.labels import CATEGORIES


def _categories() -> list[SelectChoice]:
    return [SelectChoice(code, str(label)) for code, label in CATEGORIES.items()]


class RequestForm(BaseForm):
    category = SelectField(_l("Category"), choices=_categories, validate_choice=False)
    title = StringField(_l("Title"))
    description = TextAreaField(_l("What do you need?"))


class CommentForm(BaseForm):
    body = TextAreaField(_l("Comment"))
    internal = BooleanField(_l("Internal note (never shown to the team)"))


class TriageForm(BaseForm):
    category = SelectField(_l("Category"), choices=_categories, validate_choice=False)


class AssignForm(BaseForm):
    assignee_id = SelectField(_l("Assign to"), choices=[], validate_choice=False)

    def __init__(self, *args: Any, staff: list[Any] = (), **kw: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kw)
        self.assignee_id.choices = [SelectChoice(str(u.id), u.name) for u in staff]


class WaitForm(BaseForm):
    question = TextAreaField(_l("What does the team need to tell you?"))


class ResolveForm(BaseForm):
    note = TextAreaField(_l("How it was resolved"))


class ReopenForm(BaseForm):
    reason = TextAreaField(_l("Why it is not resolved"))


class RateForm(BaseForm):
    rating = SelectField(
        _l("Rating"),
        choices=[SelectChoice(str(n), f"{n} " + "★" * n) for n in range(5, 0, -1)],
        validate_choice=False,
    )
    comment = TextAreaField(_l("Comment (optional)"))


class ConfirmForm(BaseForm):
    """A confirmation: the CSRF token only."""


class AttachmentForm(BaseForm):
    file = FileField(_l("File (PDF, PNG, JPEG, XLSX or DOCX)"))
