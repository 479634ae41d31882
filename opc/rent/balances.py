"""Balances and aging: what each team owes (issued less paid) and how long it is overdue.

Payments settle the oldest issued statements first; what is left of each statement is
aged by the days since its due date (current: not yet due). Two statements per park,
whatever the number of teams.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opc.rent.models import Statement
from opc.rent.payments_model import Payment

BUCKETS = ("current", "d30", "d60", "d90", "over90")


@dataclass
class Balance:
    team_id: int
    issued_fen: int = 0
    paid_fen: int = 0
    aging: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    # What payments settled of each issued statement, by statement id.
    settled: dict[int, int] = field(default_factory=dict)

    @property
    def balance_fen(self) -> int:
        return self.issued_fen - self.paid_fen


def bucket(due_on: date, today: date) -> str:
    overdue = (today - due_on).days
    if overdue <= 0:
        return "current"
    if overdue <= 30:
        return "d30"
    if overdue <= 60:
        return "d60"
    return "d90" if overdue <= 90 else "over90"


def paid_by_team(session: Session, *, park_id: int | None = None, team_id: int | None = None):
    stmt = select(Payment.team_id, func.sum(Payment.amount_fen)).group_by(Payment.team_id)
    if park_id is not None:
        stmt = stmt.where(Payment.park_id == park_id)
    if team_id is not None:
        stmt = stmt.where(Payment.team_id == team_id)
    return {t: int(total or 0) for t, total in session.execute(stmt).tuples()}


def balances(
    session: Session, today: date, *, park_id: int | None = None, team_id: int | None = None
) -> dict[int, Balance]:
    """Each team's balance and aging (of a park, or one team)."""
    stmt = select(Statement.id, Statement.team_id, Statement.due_on, Statement.net_fen)
    if park_id is not None:
        stmt = stmt.where(Statement.park_id == park_id)
    if team_id is not None:
        stmt = stmt.where(Statement.team_id == team_id)
    by_team: dict[int, list[tuple[int, date, int]]] = defaultdict(list)
    for sid, tid, due_on, net in session.execute(stmt.order_by(Statement.month, Statement.id)):
        by_team[tid].append((sid, due_on, net))
    paid = paid_by_team(session, park_id=park_id, team_id=team_id)
    out: dict[int, Balance] = {}
    for tid in sorted(set(by_team) | set(paid)):
        result = Balance(tid, paid_fen=paid.get(tid, 0))
        pool = result.paid_fen + sum(-net for _s, _d, net in by_team[tid] if net < 0)
        for sid, due_on, net in by_team[tid]:
            result.issued_fen += net
            if net <= 0:
                continue
            settled = min(pool, net)
            pool -= settled
            result.settled[sid] = settled
            if net - settled:
                result.aging[bucket(due_on, today)] += net - settled
        out[tid] = result
    return out
