"""Forms of the decision panel and the tranches' pages: parse and render; the operations
(opc.funds.operations.decisions, .disbursements) check the values."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from opc.core.forms import BaseForm, MoneyField


class ApproveForm(BaseForm):
    amount = MoneyField(_l("Amount approved (yuan)"), validators=[InputRequired()])
    note = TextAreaField(_l("Note to the team (optional)"))

    def values(self) -> dict[str, Any]:
        return {"amount_fen": self.amount.fen, "reason": self.note.data or ""}


class RejectForm(BaseForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired()])


class TrancheForm(BaseForm):
    milestone = StringField(_l("Milestone"), validators=[DataRequired()])
    amount = MoneyField(_l("Amount (yuan)"), validators=[InputRequired()])
    paid_on = DateField(_l("Paid on"), validators=[InputRequired()])
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
