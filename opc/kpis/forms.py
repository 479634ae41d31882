"""The KPI filing form: parse and render; the operation (opc.kpis.operations.file_report)
checks the values.

Money is typed in yuan with at most two decimals and handed on as fen; counts are whole
numbers. A field left blank is 0, as the operation takes a missing figure. A figure that
cannot be read stays on the page as it was typed, with its error; one that reads but breaks
a rule (a negative, more graduates than the headcount) comes back from the operation on
its field.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import ValidationError

from opc.core.errors import DomainError
from opc.core.forms import BaseForm, MoneyField
from opc.core.values import MAX_NUMBER_TEXT
from opc.kpis.models import COUNT_FIELDS, FIGURES, MONEY_FIELDS
from opc.kpis.operations import check_figures, check_note

# Each figure's name in tables and exports (the form's labels add the unit of money).
FIGURE_LABELS: Mapping[str, LazyString] = {
    "revenue_fen": _l("Revenue"),
    "financing_fen": _l("Financing raised"),
    "rnd_fen": _l("R&D spending"),
    "taxes_fen": _l("Taxes paid"),
    "headcount": _l("Headcount"),
    "graduates_hired": _l("Graduates hired"),
    "patents_applied": _l("Patents applied"),
    "patents_granted": _l("Patents granted"),
    "software_copyrights_applied": _l("Software copyrights applied"),
    "software_copyrights_granted": _l("Software copyrights granted"),
    "trademarks_applied": _l("Trademarks applied"),
    "trademarks_granted": _l("Trademarks granted"),
    "works_released": _l("Works released"),
}


def form_field(figure: str) -> str:
    """The form's field of a figure: money in yuan ("revenue_fen" → "revenue_yuan")."""
    return figure.removesuffix("_fen") + "_yuan" if figure in MONEY_FIELDS else figure


class CountField(StringField):
    """A whole number typed by people ("12", full-width digits too), held in `.number`;
    blank is None (the form counts it as 0)."""

    number: int | None = None

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        self.number = None
        text = unicodedata.normalize("NFKC", (self.data or "")[: MAX_NUMBER_TEXT * 2]).strip()
        if not text:
            return
        signless = text[1:] if text[0] in "+-" else text
        if len(text) > MAX_NUMBER_TEXT or not (signless.isascii() and signless.isdigit()):
            raise ValidationError(_("Must be a whole number."))
        self.number = int(text)

    def process_data(self, value: Any) -> None:
        self.data = str(value) if isinstance(value, int) else value
        self.number = value if isinstance(value, int) else None


class KpiForm(BaseForm):
    """A quarter's figures and a note; the team and the quarter come from the URL."""

    revenue_yuan = MoneyField(_l("Revenue (yuan)"))
    financing_yuan = MoneyField(
        _l("Financing raised (yuan)"), description=_l("Equity and loans received this quarter.")
    )
    rnd_yuan = MoneyField(_l("R&D spending (yuan)"))
    taxes_yuan = MoneyField(_l("Taxes paid (yuan)"))
    headcount = CountField(_l("Headcount"), description=_l("People employed at the quarter's end."))
    graduates_hired = CountField(
        _l("Of whom graduates hired"), description=_l("Graduates of this year among them.")
    )
    patents_applied = CountField(_l("Patents applied for"))
    patents_granted = CountField(_l("Patents granted"))
    software_copyrights_applied = CountField(_l("Software copyrights applied for"))
    software_copyrights_granted = CountField(_l("Software copyrights granted"))
    trademarks_applied = CountField(_l("Trademarks applied for"))
    trademarks_granted = CountField(_l("Trademarks granted"))
    works_released = CountField(
        _l("Works released"), description=_l("Films, games, digital humans, apps …")
    )
    note = TextAreaField(_l("Note (optional)"))

    @classmethod
    def initial(cls, report: Any) -> dict[str, Any]:
        """A form's data from a filed report (a correction starts from the current version)."""
        data: dict[str, Any] = {form_field(f): getattr(report, f) for f in FIGURES}
        data["note"] = report.note
        return data

    def figures(self) -> dict[str, int]:
        """The parsed figures by the report's names (money in fen); blank is 0."""
        values: dict[str, int] = {}
        for figure in MONEY_FIELDS:
            values[figure] = getattr(self, form_field(figure)).fen or 0
        for figure in COUNT_FIELDS:
            values[figure] = getattr(self, figure).number or 0
        return values

    def value_checks(self) -> list[Callable[[], Any]]:
        """The operation's checks of the figures and the note, so that a negative or too
        many graduates show on their fields together with what could not be read."""

        def figures() -> None:
            unread = {f for f in FIGURES if self._unread(f)}
            if unread & {"headcount", "graduates_hired"}:  # no comparing with a guess
                unread |= {"headcount", "graduates_hired"}
            check_figures({f: v for f, v in self.figures().items() if f not in unread})

        return [self._on_fields(figures), self._on_fields(lambda: check_note(self.note.data))]

    def _unread(self, figure: str) -> bool:
        return bool(getattr(self, form_field(figure)).errors)

    @staticmethod
    def _on_fields(check: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> None:
            try:
                check()
            except DomainError as err:
                err.fields = {form_field(k): v for k, v in err.fields.items()}
                raise

        return run

    def show_error(self, error: DomainError) -> int:
        """The operation's refusal, its figures' errors on the form's fields (money in yuan)."""
        error.fields = {form_field(k): v for k, v in error.fields.items()}
        return super().show_error(error)

    def money_fields(self) -> list[Any]:
        return [getattr(self, form_field(f)) for f in MONEY_FIELDS]

    def count_fields(self) -> list[Any]:
        return [getattr(self, f) for f in COUNT_FIELDS]


class RemindForm(BaseForm):
    """Remind the teams that have not filed: the CSRF token only."""
