"""Exact money: integer fen in storage, decimal yuan strings at the edges, half-up rounding."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")


def round_fen(yuan: Decimal) -> int:
    """Yuan as a Decimal, rounded half-up to the fen, as integer fen."""
    return int((yuan / FEN).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_yuan(text: str | Decimal | int) -> int:
    """Parse "1234.5" yuan into fen; more than two decimals or not a number is an error."""
    try:
        value = Decimal(str(text).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {text!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not an amount: {text!r}")
    if value != value.quantize(FEN):
        raise ValueError("at most two decimals (fen)")
    return int(value * 100)


def yuan_str(fen: int) -> str:
    """Fen as the API's decimal string in yuan: 123450 -> "1234.50"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def format_money(fen: int | None) -> str:
    """Fen for people: ¥1,234.50."""
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"
