"""Forms of the decision panel and the tranches' pages: parse and render; the operations
(opc.funds.operations.decisions, .disbursements) check the values."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from opc.core.errors import DomainError
from opc.core.forms import BaseForm, DayField, MoneyField


class _Named(BaseForm):
    """A form whose fields are named otherwise than the operation's (and the API's) values:
    a refusal's field errors land on the field that took the value."""

    field_of: ClassVar[dict[str, str]] = {"amount_yuan": "amount"}

    def apply_error(self, error: DomainError) -> bool:
        error.fields = {self.field_of.get(k, k): v for k, v in error.fields.items()}
        return super().apply_error(error)


class ApproveForm(_Named):
    field_of: ClassVar[dict[str, str]] = {"amount_yuan": "amount", "reason": "note"}

    amount = MoneyField(_l("Amount approved (yuan)"), validators=[InputRequired()])
    note = TextAreaField(_l("Note to the team (optional)"))

    def values(self) -> dict[str, Any]:
        return {"amount_fen": self.amount.fen, "reason": self.note.data or ""}


class RejectForm(BaseForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired()])


class TrancheForm(_Named):
    milestone = StringField(_l("Milestone"), validators=[DataRequired()])
    amount = MoneyField(_l("Amount (yuan)"), validators=[InputRequired()])
    paid_on = DayField(_l("Paid on"), validators=[InputRequired()])
    reference = StringField(_l("Reference (e.g. the bank transfer's number)"))

    def values(self) -> dict[str, Any]:
        return {
            "milestone": self.milestone.data,
            "amount_fen": self.amount.fen,
            "paid_on": self.paid_on.data,
            "reference": self.reference.data or "",
        }


class ActionForm(BaseForm):
    """A button's form: only its CSRF token (approve or cancel a tranche)."""
