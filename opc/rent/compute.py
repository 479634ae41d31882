"""Statements computed from the data, one pass per park: rent, waivers, corrections.

For a park and some months, every allocation, approved waiver, move-in and exit the months
need is read in a few statements (not a query per team); the rest is arithmetic here, in
exact fractions, rounded half-up to the fen once per line:

* rent: a line per allocation held in the month, area × monthly rate per m² × days held ÷
  days in the month;
* a waiver line per approved waiver: a percentage of the rent of the days it covers, or of
  a policy's step for the day's month of residency (on at most the policy's area cap:
  the team's rent × cap ÷ area held, when it holds more), or a fixed amount per month
  (prorated by the days it covers), never more than the rent left (no line below zero);
* adjustments: a month issued earlier that computes differently today (an allocation
  entered late, a waiver approved after the month) is corrected on the next statement
  by the difference, once ("2026-09 correction");
* clawback: a team that exits (not graduates) within N months of move-in owes back what a
  policy with a clawback waived in its last M months, on its final statement;
* charges of domains above (opc.rent.charges: a shared room's hours beyond the free quota),
  after rent and waivers (never waived), in gross and in the base a correction compares;
* rounding: the net due rounded to the park's unit (fen, jiao, yuan), as a line.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from opc.parks.models import Park
from opc.parks.settings import values_of
from opc.rent.charges import KINDS as CHARGE_KINDS
from opc.rent.charges import charged
from opc.rent.models import Policy, Statement, StatementLine, Waiver, WaiverStatus
from opc.rent.rules import percent_on, step_days
from opc.rent.schedule import add_months, days_in, month_bounds, month_of
from opc.rent.settings import ROUNDING
from opc.space.models import Allocation, Unit
from opc.teams.models import Team, TeamStatus
from opc.teams.rules import exit_dates, move_in_dates

ROUNDING_UNITS = {"fen": 1, "jiao": 10, "yuan": 100}
HUNDRED = Fraction(100)


def half_up(value: Fraction) -> int:
    """Exact half-up rounding to a whole number (of fen), for either sign."""
    sign = -1 if value < 0 else 1
    return sign * int((abs(value) + Fraction(1, 2)) // 1)


@dataclass
class Line:
    kind: str
    amount_fen: int
    description: str = ""
    days: int | None = None
    area_m2: Decimal | None = None
    rate_fen: int | None = None
    allocation_id: int | None = None
    waiver_id: int | None = None
    policy_id: int | None = None
    corrects_month: str | None = None


@dataclass
class Draft:
    """A team's statement for a month as the data say today."""

    team_id: int
    month: str
    lines: list[Line] = field(default_factory=list)

    def total(self, *kinds: str) -> int:
        return sum(line.amount_fen for line in self.lines if line.kind in kinds)

    @property
    def gross_fen(self) -> int:
        return self.total("rent", *CHARGE_KINDS)

    @property
    def waived_fen(self) -> int:
        return -self.total("waiver")

    @property
    def adjustments_fen(self) -> int:
        return self.total("adjustment", "clawback", "rounding")

    @property
    def net_fen(self) -> int:
        return self.gross_fen - self.waived_fen + self.adjustments_fen

    @property
    def base_fen(self) -> int:
        """Rent and charges less waivers: what a later correction compares."""
        return self.total("rent", "waiver", *CHARGE_KINDS)


@dataclass(frozen=True)
class Held:
    id: int
    team_id: int
    start: date
    end: date | None
    code: str
    area: Decimal
    rate_fen: int

    def on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass
class ParkData:
    """What a park's statements are computed from, read once."""

    park: Park
    held: dict[int, list[Held]]
    waivers: dict[int, list[Waiver]]
    move_in: dict[int, date]
    exits: dict[int, tuple[date, str]]
    rounding: str


def load(session: Session, park: Park, first: date, end: date) -> ParkData:
    """Allocations and approved waivers of the park's teams that touch [first, end), and
    their move-in and exit days: five statements, whatever the number of teams."""
    rows = session.execute(
        select(
            Allocation.id,
            Allocation.team_id,
            Allocation.start,
            Allocation.end,
            Unit.code,
            Unit.area_m2,
            Unit.rent_fen_per_m2,
        )
        .join(Unit, Unit.id == Allocation.unit_id)
        .where(
            Unit.park_id == park.id,
            Allocation.start < end,
            or_(Allocation.end.is_(None), Allocation.end > first),
        )
        .order_by(Allocation.start, Allocation.id)
    ).all()
    held: dict[int, list[Held]] = defaultdict(list)
    for row in rows:
        area = Decimal(str(row.area_m2))
        held[row.team_id].append(
            Held(row.id, row.team_id, row.start, row.end, row.code, area, row.rent_fen_per_m2)
        )
    waivers: dict[int, list[Waiver]] = defaultdict(list)
    stmt = (
        select(Waiver)
        .join(Team, Team.id == Waiver.team_id)
        .where(
            Team.park_id == park.id,
            Waiver.status == WaiverStatus.APPROVED,
            Waiver.start < end,
            or_(Waiver.end.is_(None), Waiver.end > first),
        )
        .options(selectinload(Waiver.policy).selectinload(Policy.steps))
        .order_by(Waiver.id)
    )
    for waiver in session.scalars(stmt):
        waivers[waiver.team_id].append(waiver)
    team_ids = sorted(set(held) | set(waivers))
    rounding = values_of(park.id)[ROUNDING.key]
    return ParkData(
        park,
        held,
        waivers,
        move_in_dates(session, team_ids),
        exit_dates(session, team_ids),
        rounding,
    )


def _segments(data: ParkData, team_id: int, first: date, end: date) -> list[tuple[date, int]]:
    """[first, end) cut where anything a day's rent or waivers depend on may change (an
    allocation or waiver starting or ending, a policy's step, a new month): each piece as
    its first day and length, so that a day stands for all the days of its piece."""
    points = {first, end}
    move_in = data.move_in.get(team_id)
    for h in data.held.get(team_id, ()):
        points.update(d for d in (h.start, h.end) if d is not None)
    for w in data.waivers.get(team_id, ()):
        points.update(d for d in (w.start, w.end) if d is not None)
        if w.policy is not None and move_in is not None:
            points.update(step_days(w.policy, move_in))
    month = first.replace(day=1)
    while month < end:
        points.add(month)
        month = add_months(month, 1)
    cuts = sorted(p for p in points if first <= p <= end)
    return [(a, (b - a).days) for a, b in pairwise(cuts)]


def _waived(data: ParkData, team_id: int, first: date, end: date) -> dict[int, Fraction]:
    """What each percentage or policy waiver of the team waives in [first, end), exact."""
    out: dict[int, Fraction] = defaultdict(Fraction)
    waivers = [w for w in data.waivers.get(team_id, ()) if w.amount_fen is None]
    if not waivers:
        return out
    move_in = data.move_in.get(team_id)
    held = data.held.get(team_id, ())
    for day, length in _segments(data, team_id, first, end):
        dim = days_in(day)
        today = [h for h in held if h.on(day)]
        if not today:
            continue
        rent = sum((Fraction(h.area) * h.rate_fen * length / dim for h in today), Fraction(0))
        area = sum((Fraction(h.area) for h in today), Fraction(0))
        for waiver in waivers:
            percent = percent_on(waiver, day, move_in)
            if not percent:
                continue
            base = rent
            cap = waiver.policy.area_cap_m2 if waiver.kind == "policy" and waiver.policy else None
            if cap is not None and area > Fraction(cap):
                base = rent * Fraction(cap) / area
            out[waiver.id] += base * Fraction(percent) / HUNDRED
    return out


def _draft(data: ParkData, team_id: int, month: str) -> Draft:
    """Rent and waiver lines of a team's month (no adjustments yet)."""
    first, end = month_bounds(month)
    dim = days_in(first)
    draft = Draft(team_id, month)
    for h in data.held.get(team_id, ()):
        start, stop = max(h.start, first), min(h.end or end, end)
        if stop <= start:
            continue
        days = (stop - start).days
        amount = half_up(Fraction(h.area) * h.rate_fen * days / dim)
        draft.lines.append(
            Line("rent", amount, h.code, days, h.area, h.rate_fen, allocation_id=h.id)
        )
    if not draft.lines:
        return draft
    waivers = {w.id: w for w in data.waivers.get(team_id, ())}
    for waiver_id, exact in _waived(data, team_id, first, end).items():
        waiver = waivers[waiver_id]
        amount = half_up(exact)
        if amount:
            draft.lines.append(_waiver_line(waiver, -amount))
    left = draft.base_fen
    for waiver in waivers.values():
        if waiver.amount_fen is None:
            continue
        stop = end if waiver.end is None else min(waiver.end, end)
        covered = max((stop - max(waiver.start, first)).days, 0)
        amount = min(half_up(Fraction(waiver.amount_fen) * covered / dim), left)
        if amount > 0:
            draft.lines.append(_waiver_line(waiver, -amount))
            left -= amount
    return draft


def _waiver_line(waiver: Waiver, amount: int) -> Line:
    policy = waiver.policy
    description = f"{policy.code} {policy.name_zh}" if policy else waiver.reason[:300]
    return Line("waiver", amount, description, waiver_id=waiver.id, policy_id=waiver.policy_id)


def _clawback(data: ParkData, team_id: int, month: str) -> list[Line]:
    """On the final statement of a team that exited early: what its clawback policies
    waived in the last M months, owed back."""
    left = data.exits.get(team_id)
    move_in = data.move_in.get(team_id)
    if left is None or move_in is None or left[1] != TeamStatus.EXITED:
        return []
    exit_day = left[0]
    if month_of(exit_day - timedelta(days=1)) != month:
        return []
    lines = []
    for waiver in data.waivers.get(team_id, ()):
        policy = waiver.policy
        if waiver.kind != "policy" or policy is None or not policy.clawback_within_months:
            continue
        if exit_day >= add_months(move_in, policy.clawback_within_months):
            continue
        since = max(move_in, add_months(exit_day, -(policy.clawback_last_months or 0)))
        amount = half_up(_waived(data, team_id, since, exit_day).get(waiver.id, 0))
        if amount:
            description = f"{policy.code} {policy.name_zh}"
            lines.append(
                Line("clawback", amount, description, waiver_id=waiver.id, policy_id=policy.id)
            )
    return lines


def _round(draft: Draft, rounding: str) -> None:
    unit = ROUNDING_UNITS.get(rounding, 1)
    if unit == 1:
        return
    net = draft.net_fen
    difference = half_up(Fraction(net, unit)) * unit - net
    if difference:
        draft.lines.append(Line("rounding", difference, rounding))


def issued_bases(session: Session, park_id: int, before: str) -> dict[tuple[int, str], int]:
    """Rent less waivers of each statement issued for months before `before`."""
    stmt = select(
        Statement.team_id, Statement.month, Statement.gross_fen - Statement.waived_fen
    ).where(Statement.park_id == park_id, Statement.month < before)
    return {(t, m): base for t, m, base in session.execute(stmt).tuples()}


def carried(session: Session, park_id: int) -> dict[tuple[int, str], int]:
    """What issued statements corrected already, by team and corrected month."""
    stmt = (
        select(Statement.team_id, StatementLine.corrects_month, func.sum(StatementLine.amount_fen))
        .join(Statement, Statement.id == StatementLine.statement_id)
        .where(Statement.park_id == park_id, StatementLine.kind == "adjustment")
        .group_by(Statement.team_id, StatementLine.corrects_month)
    )
    return {(t, m): int(total or 0) for t, m, total in session.execute(stmt).tuples()}


def park_month(session: Session, park: Park, month: str) -> dict[int, Draft]:
    """Every team's draft for the month, with the corrections of months issued before."""
    bases = issued_bases(session, park.id, month)
    months = sorted({m for _t, m in bases} | {month})
    first, _ = month_bounds(months[0])
    _, end = month_bounds(month)
    data = load(session, park, first - timedelta(days=_clawback_reach(session, park)), end)
    done = carried(session, park.id) if bases else {}
    charges = {m: charged(session, park.id, *month_bounds(m)) for m in months}
    drafts: dict[int, Draft] = {}
    teams = set(data.held) | {t for t, _m in bases} | set(charges[month])
    for team_id in sorted(teams):
        draft = _draft(data, team_id, month)
        draft.lines.extend(charges[month].get(team_id, ()))
        for (t, earlier), issued in sorted(bases.items()):
            if t != team_id:
                continue
            then = _draft(data, team_id, earlier)
            then.lines.extend(charges[earlier].get(team_id, ()))
            now = then.base_fen
            difference = now - issued - done.get((team_id, earlier), 0)
            if difference:
                draft.lines.append(Line("adjustment", difference, earlier, corrects_month=earlier))
        draft.lines.extend(_clawback(data, team_id, month))
        if draft.lines:
            _round(draft, data.rounding)
            drafts[team_id] = draft
    return drafts


def _clawback_reach(session: Session, park: Park) -> int:
    """How many days before the month a clawback may look back (the park's longest)."""
    months = session.scalar(
        select(func.max(Policy.clawback_last_months)).where(Policy.park_id == park.id)
    )
    return 31 * int(months or 0)


def describe(draft: Draft) -> dict[str, Any]:
    """A draft's totals."""
    return {
        "gross_fen": draft.gross_fen,
        "waived_fen": draft.waived_fen,
        "adjustments_fen": draft.adjustments_fen,
        "net_fen": draft.net_fen,
    }
