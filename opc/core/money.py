"""Exact money: integer fen in storage, decimal yuan strings at the edges, half-up rounding."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
# The largest amount anywhere, in fen: 999,999,999,999,999.99 yuan (MAX_YUAN, all nines for
# a pattern to state), beyond every budget and well within a BIGINT column.
MAX_FEN = 10**17 - 1
MAX_YUAN = Decimal(MAX_FEN) / 100
# No amount is written longer than this (digits, separators, sign and point).
MAX_AMOUNT_TEXT = 40


class AmountTooLarge(ValueError):
    """An amount beyond MAX_FEN (in either direction)."""


def round_fen(yuan: Decimal) -> int:
    """Yuan as a Decimal, rounded half-up to the fen, as integer fen."""
    return int((yuan / FEN).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# An amount as people and clients write it: "1234.5", "1,234.50", "-5", ".5" (full-width
# digits are read as digits). Not "1e3", "1_000", "1,2,3", "NaN" or "Infinity".
_AMOUNT = re.compile(r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)")


def parse_yuan(text: str | Decimal | int) -> int:
    """Parse "1234.5" yuan into fen; more than two decimals or not a number is an error
    (ValueError), and so is an amount beyond MAX_FEN (AmountTooLarge).

    Floats are refused: they cannot hold most amounts exactly (0.1 + 0.2 != 0.3).
    """
    if isinstance(text, bool) or not isinstance(text, str | Decimal | int):
        raise ValueError(f"not an amount: {text!r} (give a string, Decimal or int)")
    if isinstance(text, str):
        cleaned = unicodedata.normalize("NFKC", text[: MAX_AMOUNT_TEXT * 2]).strip()
        if len(cleaned) > MAX_AMOUNT_TEXT or not _AMOUNT.fullmatch(cleaned):
            raise ValueError(f"not an amount: {text!r:.60}")
        text = cleaned.replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise ValueError(f"not an amount: {text!r:.60}") from exc
    if not value.is_finite():
        raise ValueError(f"not an amount: {text!r:.60}")
    if abs(value) > MAX_YUAN:
        raise AmountTooLarge(f"at most {yuan_str(MAX_FEN)} yuan")
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
