"""Forms of the rent pages: parse and render; the operations check the values."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional

from opc.core.forms import BaseForm, DayField, LastDayField, MoneyField, int_or_none
from opc.teams.labels import KINDS, TRACKS

WAIVER_KINDS = {
    "policy": _l("The policy's schedule"),
    "percent": _l("A percentage per month"),
    "amount": _l("A fixed amount per month"),
}


def _or_none(value: Any) -> Any:
    return value if value not in ("", None) else None


class PolicyForm(BaseForm):
    code = StringField(_l("Code"), validators=[DataRequired()])
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired()])
    name_en = StringField(_l("Name (English)"))
    document = StringField(_l("Source document"))
    steps = StringField(
        _l("Schedule (months × percent from move-in)"),
        description=_l("e.g. 12:100, 12:50 — an empty month count for the last step: open"),
        validators=[DataRequired()],
    )
    area_cap_m2 = StringField(_l("Area cap (m², empty: none)"))
    tracks = SelectMultipleField(_l("Eligible tracks (none chosen: all)"))
    kinds = SelectMultipleField(_l("Eligible kinds (none chosen: all)"))
    clawback_within_months = StringField(_l("Clawback on exit within (months)"))
    clawback_last_months = StringField(_l("Clawback of the waivers of the last (months)"))

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.tracks.choices = [SelectChoice(k, str(v)) for k, v in TRACKS.items()]
        self.kinds.choices = [SelectChoice(k, str(v)) for k, v in KINDS.items()]

    def values(self) -> dict[str, Any]:
        steps = []
        for part in re.split(r"[,;，；]", self.steps.data or ""):
            if part.strip():
                months, _sep, percent = part.partition(":")
                steps.append({"months": _or_none(months.strip()), "percent": percent.strip()})
        return {
            "code": self.code.data,
            "name_zh": self.name_zh.data,
            "name_en": self.name_en.data or "",
            "document": self.document.data or "",
            "steps": steps,
            "area_cap_m2": _or_none(self.area_cap_m2.data),
            "tracks": self.tracks.data or [],
            "kinds": self.kinds.data or [],
            "clawback_within_months": _or_none(self.clawback_within_months.data),
            "clawback_last_months": _or_none(self.clawback_last_months.data),
        }


class WaiverForm(BaseForm):
    team_id = SelectField(_l("Team"), coerce=int_or_none, validators=[DataRequired()])
    kind = SelectField(_l("Waiver"))
    policy_id = SelectField(_l("Policy"), coerce=int_or_none, validators=[Optional()])
    percent = StringField(_l("Percent"))
    amount = MoneyField(_l("Amount per month (yuan)"))
    start = DayField(_l("From (empty for a policy: move-in)"), validators=[Optional()])
    # The last day waived, as people say it; the waiver keeps its exclusive end (`.end`).
    end = LastDayField(_l("Last day (empty: open-ended)"), validators=[Optional()])
    reason = TextAreaField(_l("Reason"))

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.kind.choices = [SelectChoice(k, str(v)) for k, v in WAIVER_KINDS.items()]

    def values(self) -> dict[str, Any]:
        kind = self.kind.data
        return {
            "team_id": self.team_id.data,
            "policy_id": self.policy_id.data,
            "percent": _or_none(self.percent.data) if kind == "percent" else None,
            "amount_fen": self.amount.fen if kind == "amount" else None,
            "start": self.start.data,
            "end": self.end.end,
            "reason": self.reason.data or "",
        }


PAYMENT_METHODS = {
    "bank_transfer": _l("Bank transfer"),
    "wechat": _l("WeChat Pay"),
    "alipay": _l("Alipay"),
    "cash": _l("Cash"),
    "other": _l("Other"),
}


class PaymentForm(BaseForm):
    team_id = SelectField(_l("Team"), coerce=int_or_none, validators=[DataRequired()])
    amount = MoneyField(_l("Amount (yuan)"))
    paid_on = DayField(_l("Paid on"), validators=[Optional()])
    method = SelectField(_l("Method"))
    reference = StringField(_l("Reference"))
    fapiao = StringField(_l("E-fapiao number"))

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.method.choices = [SelectChoice(k, str(v)) for k, v in PAYMENT_METHODS.items()]

    def values(self) -> dict[str, Any]:
        return {
            "team_id": self.team_id.data,
            "amount_fen": self.amount.fen,
            "paid_on": self.paid_on.data,
            "method": self.method.data,
            "reference": self.reference.data or "",
            "fapiao": self.fapiao.data or "",
        }
