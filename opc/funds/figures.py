"""The money figures of funds and calls, read from the sums the writes keep (one query each,
whatever the number of funds or calls): the pages and the API show these.

* a fund: its budget; committed = its calls' budgets; approved and disbursed under its
  calls; remaining = budget − committed (what new calls can still be given);
* a call: its budget; committed = approved (what its approvals commit); disbursed; remaining
  = budget − approved (what it can still approve).

The kept sums (`Call.approved_fen`, `Call.disbursed_fen`, `Application.disbursed_fen`) are
written in the transactions that approve and pay (opc.funds.operations), under row locks;
tests/funds/test_fund_figures.py holds them to the records' sums.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload

from opc.core.permissions import visible
from opc.extensions import db
from opc.funds.application_models import Application, Disbursement, TrancheStatus
from opc.funds.models import Call, Fund


@dataclass(frozen=True)
class Figures:
    budget_fen: int
    committed_fen: int
    approved_fen: int
    disbursed_fen: int

    @property
    def remaining_fen(self) -> int:
        return self.budget_fen - self.committed_fen

    @property
    def undisbursed_fen(self) -> int:
        """Approved but not yet paid."""
        return self.approved_fen - self.disbursed_fen


def fund_figures(fund_ids: Iterable[int]) -> dict[int, Figures]:
    """Each fund's figures, by id (one query)."""
    ids = list(fund_ids)
    if not ids:
        return {}
    stmt = (
        select(
            Fund.id,
            Fund.budget_fen,
            func.coalesce(func.sum(Call.budget_fen), 0),
            func.coalesce(func.sum(Call.approved_fen), 0),
            func.coalesce(func.sum(Call.disbursed_fen), 0),
        )
        .outerjoin(Call, Call.fund_id == Fund.id)
        .where(Fund.id.in_(ids))
        .group_by(Fund.id, Fund.budget_fen)
    )
    return {
        fund_id: Figures(int(budget), int(committed), int(approved), int(disbursed))
        for fund_id, budget, committed, approved, disbursed in db.session.execute(stmt)
    }


def call_figures(call_ids: Iterable[int]) -> dict[int, Figures]:
    """Each call's figures, by id (one query)."""
    ids = list(call_ids)
    if not ids:
        return {}
    stmt = select(Call.id, Call.budget_fen, Call.approved_fen, Call.disbursed_fen).where(
        Call.id.in_(ids)
    )
    return {
        call_id: Figures(budget, approved, approved, disbursed)
        for call_id, budget, approved, disbursed in db.session.execute(stmt)
    }


def tranches(
    user: Any,
    *,
    application_id: int | None = None,
    call_id: int | None = None,
    park_id: int | None = None,
) -> Select[Any]:
    """The tranches the user may see, narrowed: those awaiting approval first, then the
    newest; each with its application and team loaded."""
    stmt = (
        select(Disbursement)
        .where(visible(user, Disbursement))
        .options(joinedload(Disbursement.application).joinedload(Application.team))
    )
    if application_id is not None:
        stmt = stmt.where(Disbursement.application_id == application_id)
    if call_id is not None or park_id is not None:
        of = select(Application.id)
        if call_id is not None:
            of = of.where(Application.call_id == call_id)
        if park_id is not None:
            of = of.where(Application.park_id == park_id)
        stmt = stmt.where(Disbursement.application_id.in_(of))
    waiting = case((Disbursement.status == TrancheStatus.PROPOSED, 0), else_=1)
    return stmt.order_by(waiting, Disbursement.id.desc())


def tranche_room(application_ids: Iterable[int]) -> dict[int, int]:
    """What each application's approval leaves for new tranches (approved less proposed
    and paid), by id (one query)."""
    ids = list(application_ids)
    if not ids:
        return {}
    reserved = (
        select(func.coalesce(func.sum(Disbursement.amount_fen), 0))
        .where(Disbursement.application_id == Application.id)
        .scalar_subquery()
    )
    stmt = select(Application.id, func.coalesce(Application.approved_fen, 0) - reserved).where(
        Application.id.in_(ids)
    )
    return {app_id: int(room) for app_id, room in db.session.execute(stmt)}
