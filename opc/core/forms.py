"""The base form: strips whitespace, parses money and dates exactly, shares field errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import flash
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import DateField, Field, StringField
from wtforms.validators import ValidationError

from opc.core.dates import end_after, format_day, parse_day
from opc.core.errors import DomainError
from opc.core.money import MAX_YUAN, AmountTooLarge, parse_yuan, yuan_str
from opc.core.values import parse_id

# The day the error message shows as an example, in ISO and in the page's language.
DAY_EXAMPLE = date(2026, 11, 23)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def int_or_none(value: Any) -> int | None:
    """Coerce a select's value to an id; None (no choice) when it is not one (opc.core.values:
    1 … MAX_ID)."""
    return parse_id(value)


class BaseForm(FlaskForm):
    """All forms strip surrounding whitespace; a DomainError's fields land on the form."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
            filters = list(unbound_field.kwargs.get("filters", []))
            filters.append(_strip)
            return unbound_field.bind(form=form, filters=filters, **options)

    def value_checks(self) -> list[Callable[[], Any]]:
        """The operation's own checks of this form's values (pure: they read nothing and
        write nothing), run by validate() even when the form's parsing refused already, so
        that every invalid field is reported at once, not one round of fixes at a time."""
        return []

    def validate(self, extra_validators: Any = None) -> bool:
        """The form's parsing, then value_checks(); a field keeps the first error it got."""
        ok = bool(super().validate(extra_validators))
        for check in self.value_checks():
            try:
                check()
            except DomainError as err:
                ok = False
                for name, messages in err.fields.items():
                    field = getattr(self, name, None)
                    if isinstance(field, Field) and not field.errors:
                        field.errors = list(messages)
        return ok

    def values(self) -> dict[str, Any]:
        """The parsed values to hand to an operation (without the CSRF token)."""
        return {k: v for k, v in self.data.items() if k != "csrf_token"}

    def apply_error(self, error: DomainError) -> bool:
        """Attach an operation's field errors to this form's fields; True if any matched."""
        matched = False
        for name, messages in error.fields.items():
            field = getattr(self, name, None)
            if isinstance(field, Field):
                field.errors = [*list(field.errors), *list(messages)]
                matched = True
        return matched

    def show_error(self, error: DomainError) -> int:
        """Show an operation's refusal: field errors next to their fields, and a message at
        the top for a rule's refusal or for errors no field of this form can show.

        Returns the status the re-rendered page answers with: 422, whatever refused it.
        """
        self.refused = True
        if not self.apply_error(error) or error.code != "invalid_fields":
            flash(error.message, "error")
        return 422

    refused = False

    @property
    def status(self) -> int:
        """The status of the page that shows this form: 422 once it was refused (by its own
        parsing or by the operation), so a refused form never looks like a success."""
        return 422 if self.refused or self.errors else 200


class MoneyField(StringField):
    """Yuan typed by people ("1,234.50"), held as integer fen in `.fen`."""

    fen: int | None = None

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        self.fen = None
        if self.data:
            try:
                self.fen = parse_yuan(self.data)
            except AmountTooLarge as exc:
                raise ValidationError(_("At most %(n)s yuan.", n=MAX_YUAN)) from exc
            except ValueError as exc:
                raise ValidationError(_("Must be an amount in yuan, e.g. 80.00.")) from exc

    def process_data(self, value: Any) -> None:
        self.data = yuan_str(value) if isinstance(value, int) else value
        self.fen = value if isinstance(value, int) else None


class DayField(DateField):
    """A day as people type it in either language (opc.core.dates.parse_day: 2026-11-23,
    2026/11/23, 2026年11月23日, 23 Nov 2026, Nov 23, 2026). Rendered as type="date", whose
    picker sends ISO; the other forms come from typing where the browser gives a text box."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        self.data = None
        text = " ".join(valuelist).strip()
        try:
            self.data = parse_day(text)
        except ValueError as exc:
            example = format_day(DAY_EXAMPLE)
            raise ValidationError(
                _(
                    "Enter a date like %(iso)s or %(example)s.",
                    iso=DAY_EXAMPLE.isoformat(),
                    example=example,
                )
            ) from exc

    def _value(self) -> str:
        # A parsed day goes back as ISO, the one value a type="date" input keeps.
        if self.data is not None:
            return self.data.isoformat()
        return " ".join(self.raw_data) if self.raw_data else ""


class LastDayField(DayField):
    """The last day of a period, as people give it (inclusive); `.end` is the exclusive end
    the operations and the database keep ([start, end)): a lease ending on 22 May is
    typed as 22 May and stored as 23 May (opc.core.dates.end_after)."""

    @property
    def end(self) -> Any:
        return end_after(self.data)
