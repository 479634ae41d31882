"""The one home of rent's rules about waivers: what a waiver waives on a day, and stacking.

Waivers on one day never add up to more than 100% of that day's rent, and a fixed amount
never takes a month's rent below zero. Checked in the transaction that proposes and in the
one that approves (the team's row locked first), so two approvals at once cannot both pass.
A policy's schedule counts at its nominal percentage here (its area cap may waive less).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from opc.core.dates import format_day
from opc.core.errors import RuleViolation
from opc.core.money import round_fen, yuan_str
from opc.rent.models import Policy, Waiver, WaiverStatus
from opc.rent.schedule import add_months, residency_month
from opc.space.models import Allocation, Unit

HUNDRED = Decimal(100)


def percent_on(waiver: Waiver, day: date, move_in: date | None) -> Decimal:
    """The share of the day's rent `waiver` waives by percentage (a fixed amount: 0)."""
    if not waiver.covers(day) or waiver.amount_fen is not None:
        return Decimal(0)
    if waiver.percent is not None:
        return waiver.percent
    if move_in is None or waiver.policy is None:
        return Decimal(0)
    return waiver.policy.percent_in_month(residency_month(move_in, day))


def step_days(policy: Policy, move_in: date) -> list[date]:
    """The days the policy's percentage may change for a team that moved in on `move_in`."""
    days, months = [move_in], 0
    for step in policy.steps:
        if step.months is None:
            break
        months += step.months
        days.append(add_months(move_in, months))
    return days


def approved_waivers(session: Session, team_id: int, exclude: int | None = None) -> list[Waiver]:
    stmt = (
        select(Waiver)
        .where(Waiver.team_id == team_id, Waiver.status == WaiverStatus.APPROVED)
        .options(selectinload(Waiver.policy).selectinload(Policy.steps))
    )
    if exclude is not None:
        stmt = stmt.where(Waiver.id != exclude)
    return list(session.scalars(stmt))


def monthly_rent_fen(session: Session, team_id: int, day: date) -> int:
    """The team's rent for a whole month at the units it holds on `day` (area × rate)."""
    stmt = (
        select(func.coalesce(func.sum(Unit.area_m2 * Unit.rent_fen_per_m2), 0))
        .select_from(Allocation)
        .join(Unit, Unit.id == Allocation.unit_id)
        .where(Allocation.team_id == team_id, Allocation.holds_on(day))
    )
    return round_fen(Decimal(str(session.scalar(stmt) or 0)) / 100)


def _days_to_check(new: Waiver, others: Iterable[Waiver], move_in: date | None) -> list[date]:
    candidates = {new.start}
    for waiver in (new, *others):
        candidates.add(waiver.start)
        if waiver.policy is not None and waiver.kind == "policy" and move_in is not None:
            candidates.update(step_days(waiver.policy, move_in))
    return sorted(d for d in candidates if new.covers(d))


def check_stacking(
    session: Session, waiver: Waiver, move_in: date | None, others: list[Waiver]
) -> None:
    """409 waiver_stacking when `waiver` and the team's approved `others` waive more than
    100% of a day's rent, or its fixed amount is more than the month's rent left to waive."""
    for day in _days_to_check(waiver, others, move_in):
        total = sum((percent_on(w, day, move_in) for w in (waiver, *others)), Decimal(0))
        if total > HUNDRED:
            raise _stacking(
                waiver,
                _(
                    "On %(day)s the team's waivers would add up to %(total)s%% of its rent; "
                    "at most 100%% may be waived.",
                    day=format_day(day),
                    total=f"{total.normalize():f}",
                ),
                day,
                others,
            )
    if waiver.amount_fen is None:
        return
    day = waiver.start
    share = sum((percent_on(w, day, move_in) for w in others), Decimal(0))
    rent = monthly_rent_fen(session, waiver.team_id, day)
    left = round_fen(Decimal(rent) * (HUNDRED - share) / HUNDRED / 100)
    fixed = sum((w.amount_fen or 0 for w in others if w.covers(day)), 0)
    if waiver.amount_fen + fixed > left:
        raise _stacking(
            waiver,
            _(
                "%(amount)s yuan a month is more than the rent left to waive on %(day)s "
                "(%(left)s yuan of %(rent)s yuan a month).",
                amount=yuan_str(waiver.amount_fen),
                day=format_day(day),
                left=yuan_str(max(left - fixed, 0)),
                rent=yuan_str(rent),
            ),
            day,
            others,
        )


def _stacking(waiver: Waiver, message: str, day: date, others: list[Waiver]) -> RuleViolation:
    return RuleViolation(
        "waiver_stacking",
        message,
        conflict={
            "team_id": waiver.team_id,
            "day": day.isoformat(),
            "waiver_ids": [w.id for w in others if w.covers(day)],
        },
    )
