"""/api/v1/payments and /api/v1/balances: record a payment; balances and aging. Thin."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from flask import current_app
from pydantic import Field

from opc.api.pagination import page_args, paged
from opc.api.routing import endpoint
from opc.api.schemas import Id, In, IsoDate, Out, decimal_text
from opc.core.dates import local_today
from opc.core.money import MAX_YUAN, parse_yuan, yuan_str
from opc.core.permissions import Role, get_or_404, visible
from opc.extensions import db
from opc.parks.models import Park
from opc.rent import operations as ops
from opc.rent.balances import BUCKETS, balances
from opc.rent.operations.payments import FAPIAO_PATTERN, MAX_REFERENCE
from opc.rent.payments_model import Payment
from opc.rent.permissions import can_issue_statements, can_view_statements
from opc.teams.models import Team

Amount = decimal_text(MAX_YUAN, positive=True)


class PaymentIn(In):
    team_id: Id  # type: ignore[valid-type]
    amount_yuan: Amount  # type: ignore[valid-type]
    paid_on: IsoDate
    method: Literal["bank_transfer", "wechat", "alipay", "cash", "other"] = "bank_transfer"
    reference: str = Field("", max_length=MAX_REFERENCE)
    fapiao: str = Field("", pattern=FAPIAO_PATTERN)


class PaymentOut(Out):
    id: int
    team_id: int
    amount_yuan: str
    paid_on: date
    method: str
    reference: str
    fapiao: str


class PaymentQuery(In):
    park_id: Id | None = None  # type: ignore[valid-type]
    team_id: Id | None = None  # type: ignore[valid-type]


class BalanceOut(Out):
    team_id: int
    issued_yuan: str
    paid_yuan: str
    balance_yuan: str
    current_yuan: str
    d30_yuan: str = Field(description="1 to 30 days overdue")
    d60_yuan: str = Field(description="31 to 60 days overdue")
    d90_yuan: str = Field(description="61 to 90 days overdue")
    over90_yuan: str = Field(description="more than 90 days overdue")


class BalanceQuery(In):
    park_id: Id | None = None  # type: ignore[valid-type]
    team_id: Id | None = None  # type: ignore[valid-type]


def _payment(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "team_id": payment.team_id,
        "amount_yuan": yuan_str(payment.amount_fen),
        "paid_on": payment.paid_on.isoformat(),
        "method": payment.method,
        "reference": payment.reference,
        "fapiao": payment.fapiao,
    }


@endpoint(
    "/payments",
    methods=("POST",),
    scope="rent:write",
    allow=can_issue_statements,
    body=PaymentIn,
    response=PaymentOut,
    status=201,
    errors=(404, 409),
)
def record_payment(user: Any, body: PaymentIn) -> dict[str, Any]:
    """Record a team's payment; 409 payment_exceeds_balance beyond what it owes."""
    team = get_or_404(Team, body.team_id, user, "statements.issue")
    values = body.model_dump(exclude={"team_id", "amount_yuan"})
    payment = ops.record_payment(
        actor=user, team_id=team.id, amount_fen=parse_yuan(body.amount_yuan), **values
    )
    return _payment(payment)


def _teams(user: Any, park_id: int | None, team_id: int | None) -> tuple[int | None, int | None]:
    if user.role == Role.MEMBER:
        if team_id is not None and team_id != user.team_id:
            get_or_404(Team, team_id, user)
        return None, user.team_id
    if team_id is not None:
        get_or_404(Team, team_id, user, "statements.view")
    if park_id is not None:
        get_or_404(Park, park_id, user, "statements.issue")
    return park_id, team_id


@endpoint(
    "/payments",
    scope="rent:read",
    allow=can_view_statements,
    query=PaymentQuery,
    response=PaymentOut,
    paged=True,
    errors=(403, 404),
)
def list_payments(user: Any, query: PaymentQuery) -> dict[str, Any]:
    """The payments the caller may see, newest first."""
    park_id, team_id = _teams(user, query.park_id, query.team_id)
    stmt = db.select(Payment).where(
        Payment.team_id.in_(db.select(Team.id).where(visible(user, Team)))
    )
    if park_id is not None:
        stmt = stmt.where(Payment.park_id == park_id)
    if team_id is not None:
        stmt = stmt.where(Payment.team_id == team_id)
    return paged(stmt.order_by(Payment.paid_on.desc(), Payment.id.desc()), _payment)


@endpoint(
    "/balances",
    scope="rent:read",
    allow=can_view_statements,
    query=BalanceQuery,
    response=BalanceOut,
    paged=True,
    errors=(403, 404),
)
def list_balances(user: Any, query: BalanceQuery) -> dict[str, Any]:
    """Each team's balance (issued less paid) and its aging: current, 1–30, 31–60, 61–90
    and more than 90 days past the due date. Staff: a park (`park_id`) or a team."""
    park_id, team_id = _teams(user, query.park_id, query.team_id)
    if team_id is not None:
        parks = [db.session.get(Team, team_id).park]
    elif park_id is not None:
        parks = [db.session.get(Park, park_id)]
    else:
        visible_parks = db.session.scalars(db.select(Park).where(visible(user, Park)))
        parks = [p for p in visible_parks if can_issue_statements(user, p)]
    rows = []
    for park in parks:
        found = balances(db.session, local_today(park.timezone), park_id=park.id, team_id=team_id)
        rows.extend(
            {
                "team_id": b.team_id,
                "issued_yuan": yuan_str(b.issued_fen),
                "paid_yuan": yuan_str(b.paid_fen),
                "balance_yuan": yuan_str(b.balance_fen),
                **{f"{k}_yuan": yuan_str(b.aging[k]) for k in BUCKETS},
            }
            for b in found.values()
        )
    args = page_args()
    per_page = min(
        args.per_page or current_app.config["PER_PAGE"], current_app.config["MAX_PER_PAGE"]
    )
    start = (args.page - 1) * per_page
    return {
        "items": rows[start : start + per_page],
        "total": len(rows),
        "page": args.page,
        "per_page": per_page,
    }
