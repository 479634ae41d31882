"""The tranches' read models: the tranches a user may see (those awaiting approval first)
and what each approval leaves for new tranches, one query each whatever the number of rows.

The money figures of funds and calls (budget, committed, approved, disbursed, remaining)
are opc.funds.call_queries.fund_figures and the calls' kept columns; both read the sums the
approving and paying transactions keep (opc.funds.operations.decisions, .disbursements),
which tests/funds/test_fund_figures.py holds to the records' sums."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload

from opc.core.permissions import visible
from opc.core.sorting import Sort, Sorting
from opc.extensions import db
from opc.funds.application_models import Application, Disbursement, TrancheStatus
from opc.teams.models import Team

TRANCHES = Sorting(
    {
        "team": (
            select(Team.name_pinyin)
            .join(Application, Application.team_id == Team.id)
            .where(Application.id == Disbursement.application_id)
            .scalar_subquery()
        ),
        "application": (
            select(Application.title)
            .where(Application.id == Disbursement.application_id)
            .scalar_subquery()
        ),
        "milestone": Disbursement.milestone,
        "amount": Disbursement.amount_fen,
        "paid_on": Disbursement.paid_on,
        "reference": func.nullif(Disbursement.reference, ""),  # none: last
        "status": Disbursement.status,
    },
    default="paid_on",
    tiebreak=Disbursement.id,
    descending=True,
    first_desc=frozenset({"amount", "paid_on"}),
)


def tranches(
    user: Any,
    *,
    application_id: int | None = None,
    call_id: int | None = None,
    park_id: int | None = None,
    sort: Sort | None = None,
) -> Select[Any]:
    """The tranches the user may see, narrowed, in the reader's order (without one: those
    awaiting approval first, then the newest); each with its application and team loaded."""
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
    if sort is not None:
        return stmt.order_by(*sort.order_by())
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
