"""Read models of funds and calls for the pages and the API: lists the user may see, and the
money figures (one aggregate query for a page of funds, never one per fund).

A fund's figures: its budget; `committed` by its calls (the sum of their budgets, what the
fund has promised them); `approved` and `disbursed` under those calls; `remaining`, what
is left for new calls (budget − committed). A call's: its budget, `approved` (what it
committed to teams), `disbursed` (tranches paid) and `remaining` (budget − approved).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import selectinload

from opc.auth.models import User
from opc.core.db import utcnow
from opc.core.permissions import Role, visible
from opc.core.pinyin import sort_key
from opc.core.sorting import Sort, Sorting
from opc.extensions import db
from opc.funds.application_models import Application, ApplicationStatus
from opc.funds.models import Call, Fund


@dataclass(frozen=True)
class FundFigures:
    budget_fen: int
    committed_fen: int
    approved_fen: int = 0
    disbursed_fen: int = 0
    calls: int = 0

    @property
    def remaining_fen(self) -> int:
        return self.budget_fen - self.committed_fen


def fund_figures(funds: Iterable[Fund]) -> dict[int, FundFigures]:
    """Figures of each fund by id, in one query."""
    funds = list(funds)
    sums = {
        row.fund_id: row
        for row in db.session.execute(
            select(
                Call.fund_id,
                func.coalesce(func.sum(Call.approved_fen), 0).label("approved"),
                func.coalesce(func.sum(Call.disbursed_fen), 0).label("disbursed"),
                func.count(Call.id).label("calls"),
            )
            .where(Call.fund_id.in_([f.id for f in funds]))
            .group_by(Call.fund_id)
        )
    }
    out = {}
    for fund in funds:
        row = sums.get(fund.id)
        out[fund.id] = FundFigures(
            fund.budget_fen,
            fund.calls_fen,
            int(row.approved) if row else 0,
            int(row.disbursed) if row else 0,
            int(row.calls) if row else 0,
        )
    return out


def _of_calls(column: Any) -> Any:
    """A sum over the fund's calls, as a column of the fund (for sorting)."""
    return (
        select(func.coalesce(func.sum(column), 0)).where(Call.fund_id == Fund.id).scalar_subquery()
    )


FUND_SORTING = Sorting(
    {
        "name": Fund.name_zh,
        "budget": Fund.budget_fen,
        "committed": Fund.calls_fen,
        "approved": _of_calls(Call.approved_fen),
        "disbursed": _of_calls(Call.disbursed_fen),
        "remaining": Fund.budget_fen - Fund.calls_fen,
        "calls": select(func.count(Call.id)).where(Call.fund_id == Fund.id).scalar_subquery(),
    },
    default="name",
    tiebreak=Fund.id,
    first_desc=frozenset({"budget", "committed", "approved", "disbursed", "remaining", "calls"}),
)


def funds_of(
    user: User, park_id: int | None = None, sort: Sort | None = None
) -> Select[tuple[Fund]]:
    """The funds the user may see (of one park), in the reader's order (without one: by
    park and name)."""
    stmt = select(Fund).where(visible(user, Fund))
    if park_id is not None:
        stmt = stmt.where(Fund.park_id == park_id)
    if sort is not None:
        return stmt.order_by(*sort.order_by())
    return stmt.order_by(Fund.park_id, Fund.name_zh, Fund.id)


def calls_of(
    user: User,
    *,
    park_id: int | None = None,
    fund_id: int | None = None,
    open_at: datetime | None = None,
) -> Select[tuple[Call]]:
    """The calls the user may see (filtered; `open_at`: open at that instant), the latest
    opened first, with their criteria, pools and parks loaded."""
    stmt = select(Call).where(visible(user, Call))
    if park_id is not None:
        stmt = stmt.where(Call.park_id == park_id)
    if fund_id is not None:
        stmt = stmt.where(Call.fund_id == fund_id)
    if open_at is not None:
        stmt = stmt.where(Call.opens_at <= open_at, Call.closes_at > open_at)
    options = (
        selectinload(Call.criteria),
        selectinload(Call.reviewers),
        selectinload(Call.fund).joinedload(Fund.park),  # the park's timezone
    )
    return stmt.options(*options).order_by(Call.opens_at.desc(), Call.id.desc())


def is_open(call: Call) -> bool:
    return call.is_open(utcnow())


def call_state(call: Call) -> str:
    """Where a call's window stands now: upcoming, open or closed."""
    now = utcnow()
    return "upcoming" if now < call.opens_at else "open" if now < call.closes_at else "closed"


def application_counts(call_id: int) -> dict[str, int]:
    """How many applications the call has in each state (in the states' order; none: left
    out)."""
    found = dict(
        db.session.execute(
            select(Application.status, func.count(Application.id))
            .where(Application.call_id == call_id)
            .group_by(Application.status)
        ).all()
    )
    return {s.value: found[s.value] for s in ApplicationStatus if found.get(s.value)}


def applications_of(call_id: int, status: str | None = None) -> Select[tuple[Application]]:
    """The call's applications (in one state), by state in the states' order, then oldest
    first, teams loaded."""
    order = case({s.value: n for n, s in enumerate(ApplicationStatus)}, value=Application.status)
    stmt = select(Application).where(Application.call_id == call_id)
    if status is not None:
        stmt = stmt.where(Application.status == status)
    return stmt.options(selectinload(Application.team)).order_by(order, Application.id)


def reviewers() -> list[User]:
    """The active users of role reviewer, in pinyin order of their names (the pool's
    choices)."""
    found = db.session.scalars(
        select(User).where(User.role == Role.REVIEWER, User.is_active.is_(True))
    )
    return sorted(found, key=lambda u: (sort_key(u.name or u.email), u.id))
