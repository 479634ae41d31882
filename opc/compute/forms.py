"""Forms of the programme and voucher pages: parse and render; the operations check values."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Optional

from opc.core.forms import BaseForm, DayField, MoneyField, int_or_none
from opc.teams.labels import TRACKS


def _ids(values: list[Any] | None) -> list[Any]:
    """The chosen ids of a multiple select (a value that is no id is left for the operation
    to refuse)."""
    return [int_or_none(v) or v for v in values or []]


class ProgrammeForm(BaseForm):
    code = StringField(_l("Code (empty: generated)"))
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired()])
    name_en = StringField(_l("Name (English)"))
    document = StringField(_l("Source document"))
    budget_yuan = MoneyField(_l("Budget, the pool (yuan)"))
    rate_percent = StringField(
        _l("Subsidy rate (percent of the cost)"), description=_l("e.g. 50 or 12.5")
    )
    team_cap_yuan = MoneyField(_l("Cap per team and calendar year (yuan, empty: none)"))
    valid_from = DayField(_l("Valid from (empty: today)"), validators=[Optional()])
    valid_to = DayField(
        _l("Valid until (included; empty: the end of the year)"), validators=[Optional()]
    )
    provider_ids = SelectMultipleField(_l("Designated providers"))
    tracks = SelectMultipleField(_l("Eligible tracks (none chosen: all)"))

    def __init__(self, *args: Any, providers: list[Any] = (), **kw: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kw)
        self.provider_ids.choices = [SelectChoice(str(p.id), p.name) for p in providers]
        self.tracks.choices = [SelectChoice(k, str(v)) for k, v in TRACKS.items()]

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "code": self.code.data or "",
            "name_zh": self.name_zh.data or "",
            "name_en": self.name_en.data or "",
            "document": self.document.data or "",
            "budget_fen": self.budget_yuan.fen,
            "rate_percent": self.rate_percent.data or "",
            "team_cap_fen": self.team_cap_yuan.fen,
            "provider_ids": _ids(self.provider_ids.data),
            "tracks": self.tracks.data or [],
        }
        for key in ("valid_from", "valid_to"):
            if getattr(self, key).data is not None:
                values[key] = getattr(self, key).data
        return values


class VoucherForm(BaseForm):
    programme_id = SelectField(_l("Programme"), coerce=int_or_none, validators=[DataRequired()])
    team_id = SelectField(_l("Team"), coerce=int_or_none, validators=[DataRequired()])
    amount_yuan = MoneyField(_l("Amount (yuan)"))
    gpu_hours = StringField(_l("GPU-hours (optional)"))
    valid_from = DayField(_l("Valid from"), validators=[Optional()])
    valid_to = DayField(_l("Valid until (included)"), validators=[Optional()])
    provider_ids = SelectMultipleField(_l("Redeemable at (none chosen: all of the programme's)"))

    def __init__(self, *args: Any, providers: list[Any] = (), **kw: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kw)
        self.provider_ids.choices = [SelectChoice(str(p.id), p.name) for p in providers]

    def values(self) -> dict[str, Any]:
        return {
            "programme_id": self.programme_id.data,
            "team_id": self.team_id.data,
            "amount_fen": self.amount_yuan.fen,
            "gpu_hours": self.gpu_hours.data or None,
            "valid_from": self.valid_from.data,
            "valid_to": self.valid_to.data,
            "provider_ids": _ids(self.provider_ids.data),
        }
