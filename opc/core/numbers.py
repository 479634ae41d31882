"""Numbers for people: thousands separators (100,000.00 m²) and shares as percentages that
never read "0%" for something that is there (0.4%) nor "100%" for something short of it."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

ONE = Decimal(1)
TENTH = Decimal("0.1")


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


def format_number(value: Any, places: int | None = None) -> str:
    """1234567 -> "1,234,567", Decimal("1234.5") -> "1,234.5" (the places it has); with
    `places`, rounded half-up to them: "1,234,567.00". None is "—"."""
    number = _decimal(value)
    if number is None or not number.is_finite():
        return "—" if value is None else str(value)
    if places is None:
        exponent = number.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    quantum = Decimal(1).scaleb(-places)
    return f"{number.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"


def format_area(value: Any) -> str:
    """An area in m² with two decimals and thousands separators: 100,000.00."""
    return format_number(value, 2)


def format_percent(value: Any) -> str:
    """A percentage (0-100) as a whole number ("45%"), with one decimal where the whole
    number would hide that it is more than nothing or less than all: 0.4%, 99.6%."""
    number = _decimal(value)
    if number is None or not number.is_finite():
        return "—"
    whole = number.quantize(ONE, rounding=ROUND_HALF_UP)
    if (whole == 0 and number != 0) or (whole == 100 and number != 100):
        tenth = number.quantize(TENTH, rounding=ROUND_HALF_UP)
        if tenth == 0 and number != 0:  # 0.04%: still more than nothing
            return "<0.1%" if number > 0 else "-<0.1%"
        if tenth == 100 and number < 100:
            return ">99.9%"
        return f"{tenth}%"
    return f"{whole}%"


def share(part: Any, whole: Any) -> str:
    """`part` of `whole` as a percentage (format_percent); "—" when the whole is nothing."""
    a, b = _decimal(part), _decimal(whole)
    if a is None or b is None or b == 0:
        return "—"
    return format_percent(a * 100 / b)


def percent_of(part: Any, whole: Any) -> Decimal:
    """`part` of `whole` in percent, exact enough to draw a meter (0 when the whole is 0)."""
    a, b = _decimal(part), _decimal(whole)
    return (a * 100 / b).quantize(TENTH) if a is not None and b else Decimal(0)
