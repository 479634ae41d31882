"""Read models of statements: a month's statements of a park (issued ones as stored, the
rest as drafts computed now), and a team's issued history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from opc.core.permissions import visible
from opc.core.sorting import Sorting
from opc.extensions import db
from opc.parks.models import Park
from opc.rent import compute
from opc.rent.balances import BUCKETS, Balance
from opc.rent.models import Statement
from opc.rent.payments_model import Payment
from opc.teams.models import Team


@dataclass
class LineView:
    kind: str
    description: str
    amount_fen: int
    days: int | None = None
    area_m2: Decimal | None = None
    rate_fen: int | None = None
    policy_id: int | None = None
    corrects_month: str | None = None


@dataclass
class StatementView:
    """An issued statement or a draft, alike for pages and the API (a draft has no id)."""

    id: int | None
    park_id: int
    team_id: int
    month: str
    status: str
    gross_fen: int
    waived_fen: int
    adjustments_fen: int
    net_fen: int
    due_on: date | None
    lines: list[LineView] = field(default_factory=list)


def _line(line: Any) -> LineView:
    return LineView(
        line.kind,
        line.description,
        line.amount_fen,
        line.days,
        line.area_m2,
        line.rate_fen,
        line.policy_id,
        line.corrects_month,
    )


def issued_view(statement: Statement) -> StatementView:
    return StatementView(
        statement.id,
        statement.park_id,
        statement.team_id,
        statement.month,
        "issued",
        statement.gross_fen,
        statement.waived_fen,
        statement.adjustments_fen,
        statement.net_fen,
        statement.due_on,
        [_line(line) for line in statement.lines],
    )


def draft_view(park_id: int, draft: compute.Draft) -> StatementView:
    return StatementView(
        None,
        park_id,
        draft.team_id,
        draft.month,
        "draft",
        draft.gross_fen,
        draft.waived_fen,
        draft.adjustments_fen,
        draft.net_fen,
        None,
        [_line(line) for line in draft.lines],
    )


def month_of_park(park: Park, month: str, team_id: int | None = None) -> list[StatementView]:
    """The park's statements for a month, by team: issued as stored, the others as drafts
    (one computation for the whole park)."""
    stmt = (
        select(Statement)
        .where(Statement.park_id == park.id, Statement.month == month)
        .options(selectinload(Statement.lines))
    )
    if team_id is not None:
        stmt = stmt.where(Statement.team_id == team_id)
    issued = {s.team_id: issued_view(s) for s in db.session.scalars(stmt)}
    drafts = compute.park_month(db.session, park, month)
    views = dict(issued)
    for tid, draft in drafts.items():
        if tid not in issued and (team_id is None or tid == team_id):
            views[tid] = draft_view(park.id, draft)
    return [views[tid] for tid in sorted(views)]


def issued_of(user: Any, *, park_id: int | None = None, team_id: int | None = None) -> Select[Any]:
    """The issued statements the user may see, newest month first, lines loaded."""
    stmt = select(Statement).where(visible(user, Statement))
    if park_id is not None:
        stmt = stmt.where(Statement.park_id == park_id)
    if team_id is not None:
        stmt = stmt.where(Statement.team_id == team_id)
    stmt = stmt.options(selectinload(Statement.lines))
    return stmt.order_by(Statement.month.desc(), Statement.team_id)


def teams_of(park_id: int) -> list[Any]:
    """The park's teams (names for a month's table)."""
    from_teams = select(Team).where(Team.park_id == park_id)
    return list(db.session.scalars(from_teams))


def payments_of(team_id: int) -> list[Payment]:
    """A team's payments, newest first."""
    stmt = select(Payment).where(Payment.team_id == team_id)
    return list(db.session.scalars(stmt.order_by(Payment.paid_on.desc(), Payment.id.desc())))


@dataclass(frozen=True)
class MonthRow:
    """A team's line in a park's month: its statement (or draft) and what was paid of it
    (None for a draft: nothing is due yet)."""

    view: StatementView
    team: Team
    paid_fen: int | None


# A month's statements are computed in Python (drafts are not stored): sorted there.
MONTH_SORTING = Sorting(
    {
        "team": lambda r: r.team.name_pinyin or r.team.name_zh,
        "gross": lambda r: r.view.gross_fen,
        "waived": lambda r: r.view.waived_fen,
        "adjustments": lambda r: r.view.adjustments_fen,
        "net": lambda r: r.view.net_fen,
        "paid": lambda r: r.paid_fen,
        "status": lambda r: r.view.status,
    },
    default="team",
    tiebreak=lambda r: r.view.team_id,
    first_desc=frozenset({"gross", "waived", "adjustments", "net", "paid"}),
)


@dataclass(frozen=True)
class BalanceRow:
    """A team's balance and aging, with the team for its name."""

    balance: Balance
    team: Team


BALANCE_SORTING = Sorting(
    {
        "team": lambda r: r.team.name_pinyin or r.team.name_zh,
        "issued": lambda r: r.balance.issued_fen,
        "paid": lambda r: r.balance.paid_fen,
        "balance": lambda r: r.balance.balance_fen,
        **{k: (lambda r, k=k: r.balance.aging[k]) for k in BUCKETS},
    },
    default="team",
    tiebreak=lambda r: r.balance.team_id,
    first_desc=frozenset({"issued", "paid", "balance", *BUCKETS}),
)
