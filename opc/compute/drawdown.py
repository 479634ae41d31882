"""The draw-down rule as arithmetic: which vouchers pay how much of a usage record.

Plain values in, plain values out (no database), so the rule is tested on its own and the
ingestion of a batch stays a tight loop. Money is integer fen, GPU-hours integer
hundredths, rates hundredths of a percent (33.33 % is 3333); every amount is rounded
half-up to the fen once, where it is drawn.

The rule: a record's subsidy is its cost × the voucher's programme rate, capped by what the
voucher has left. The team's vouchers valid on the record's park-local start day and
redeemable at its provider are drawn the one expiring first first (ties: the lowest id).
When a voucher cannot pay its whole share it pays what it has left, and that pays for the
part of the record that this amount subsidises at its rate (a fraction of the record's cost
and of its GPU-hours); the rest of the record passes on to the next voucher, at that
voucher's rate. A GPU-hour voucher (`hours` set) also covers at most its remaining hours:
a record's hours are drawn in the same proportion as its cost, so a voucher with hours
left but no money (or money but no hours) pays for no more of the record. Whatever no
voucher pays, the team owes the provider. A record that costs nothing draws nothing.

Alerts: a voucher is "used" by the larger of its two shares, money and hours (a voucher
whose hours are spent can pay nothing more); crossing 80 % and reaching 100 % are alerts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from opc.compute.models import AlertKind

WHOLE_RATE = 10_000  # 100 % in hundredths of a percent


def rate_hundredths(percent: Decimal) -> int:
    """A programme's rate as hundredths of a percent (Numeric(5, 2): exact)."""
    return int(percent * 100)


def half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half-up, both non-negative integers."""
    return (2 * numerator + denominator) // (2 * denominator)


def _half_up(value: Fraction) -> int:
    return half_up(value.numerator, value.denominator)


@dataclass(eq=False)
class Balance:
    """What a voucher has, as the draw-down sees it; `used_*` grow as it is drawn."""

    id: int
    valid_from: date
    valid_to: date
    rate: int  # hundredths of a percent
    amount_fen: int
    used_fen: int
    hours: int | None  # hundredths of GPU-hours it covers; None: money only
    used_hours: int
    providers: frozenset[int] | None  # where it is redeemable; None: at every provider

    def usable(self, provider_id: int, day: date) -> bool:
        """Valid on the day (both ends included), redeemable at the provider, not spent."""
        return (
            self.valid_from <= day <= self.valid_to
            and (self.providers is None or provider_id in self.providers)
            and self.used_fen < self.amount_fen
            and (self.hours is None or self.used_hours < self.hours)
        )

    @property
    def order(self) -> tuple[date, int]:
        """Drawn first: expiring first, then the lowest id."""
        return self.valid_to, self.id


def draw(
    cost_fen: int, hours: int, vouchers: list[Balance], provider_id: int, day: date
) -> list[tuple[Balance, int, int]]:
    """Draw a record (cost, GPU-hours, provider, park-local start day) on `vouchers` (in
    drawing order): [(voucher, subsidy fen, hours hundredths)], each voucher's used amounts
    advanced. Empty when nothing pays (unsubsidised)."""
    if cost_fen <= 0:
        return []
    draws: list[tuple[Balance, int, int]] = []
    left = Fraction(1)  # the part of the record no voucher has paid for yet
    for voucher in vouchers:
        if not voucher.usable(provider_id, day):
            continue
        money = voucher.amount_fen - voucher.used_fen
        time = None if voucher.hours is None else voucher.hours - voucher.used_hours
        if left == 1:  # the usual case, in integers: the voucher pays its whole share
            share = half_up(cost_fen * voucher.rate, WHOLE_RATE)
            if share <= money and (time is None or hours <= time):
                if share:
                    _take(draws, voucher, share, hours)
                return draws
        part = min(left, Fraction(money * WHOLE_RATE, cost_fen * voucher.rate))
        if time is not None:
            part = min(part, Fraction(time, hours))
        subsidy = _half_up(part * cost_fen * voucher.rate / WHOLE_RATE)
        if subsidy <= 0:
            continue  # too little to pay a fen: the record passes on whole
        _take(draws, voucher, subsidy, _half_up(part * hours))
        left -= part
        if left <= 0:
            break
    return draws


def _take(draws: list[tuple[Balance, int, int]], voucher: Balance, fen: int, hours: int) -> None:
    voucher.used_fen += fen
    voucher.used_hours += hours
    draws.append((voucher, fen, hours))


def reached(voucher: Balance) -> list[AlertKind]:
    """The use alerts a voucher's balance calls for: 80 % and 100 % of its amount (or of
    its hours, whichever share is larger)."""
    kinds = []
    eighty = 5 * voucher.used_fen >= 4 * voucher.amount_fen
    full = voucher.used_fen >= voucher.amount_fen
    if voucher.hours is not None:
        eighty = eighty or 5 * voucher.used_hours >= 4 * voucher.hours
        full = full or voucher.used_hours >= voucher.hours
    if eighty:
        kinds.append(AlertKind.USED_80)
    if full:
        kinds.append(AlertKind.USED_100)
    return kinds
