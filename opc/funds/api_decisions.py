"""/api/v1 decisions and tranches: approve or reject an application in review, propose,
approve and list tranches. Thin: the operations hold the rules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from opc.api.pagination import paged
from opc.api.routing import endpoint
from opc.api.schemas import Id, In, IsoDate, Out, decimal_text
from opc.core.money import MAX_YUAN, parse_yuan, yuan_str
from opc.core.permissions import get_or_404
from opc.funds import figures
from opc.funds.application_models import Application, Disbursement
from opc.funds.models import Call
from opc.funds.operations import decisions, disbursements
from opc.funds.permissions import can_manage_applications, can_view_disbursement

Amount = decimal_text(MAX_YUAN, positive=True)


class ApproveIn(In):
    multiline = frozenset({"reason"})

    amount_yuan: Amount = Field(  # type: ignore[valid-type]
        description="at most the amount requested, the call's ceiling and its remaining budget"
    )
    reason: str = Field("", max_length=decisions.MAX_REASON)


class RejectIn(In):
    multiline = frozenset({"reason"})

    reason: str = Field(min_length=1, max_length=decisions.MAX_REASON)


class DecisionOut(Out):
    id: int
    call_id: int
    team_id: int
    status: Literal["approved", "rejected"]
    amount_yuan: str = Field(description="the amount requested")
    approved_yuan: str | None
    reason: str
    decided_at: datetime
    decided_by_id: int | None
    call_remaining_yuan: str = Field(description="the call's budget left to approve")


class TrancheIn(In):
    application_id: Id  # type: ignore[valid-type]
    milestone: str = Field(
        min_length=1,
        max_length=disbursements.MAX_MILESTONE,
        description="one of the application's milestones by title (any text when it has none)",
    )
    amount_yuan: Amount  # type: ignore[valid-type]
    paid_on: IsoDate
    reference: str = Field("", max_length=disbursements.MAX_REFERENCE)


class TrancheOut(Out):
    id: int
    application_id: int
    milestone: str
    amount_yuan: str
    paid_on: date
    reference: str
    status: Literal["proposed", "paid"]
    proposed_by_id: int | None
    approved_by_id: int | None
    approved_at: datetime | None
    application_remaining_yuan: str = Field(
        description="the approval less the application's proposed and paid tranches"
    )


class TrancheQuery(In):
    application_id: Id | None = None  # type: ignore[valid-type]
    call_id: Id | None = None  # type: ignore[valid-type]


def _decision(application: Application) -> dict[str, Any]:
    call, approved = application.call, application.approved_fen
    return DecisionOut(
        id=application.id,
        call_id=application.call_id,
        team_id=application.team_id,
        status=application.status,  # type: ignore[arg-type]
        amount_yuan=yuan_str(application.amount_fen),
        approved_yuan=None if approved is None else yuan_str(approved),
        reason=application.decision_reason,
        decided_at=application.decided_at,  # type: ignore[arg-type]
        decided_by_id=application.decided_by_id,
        call_remaining_yuan=yuan_str(call.remaining_fen),
    ).model_dump(mode="json")


def _tranche(tranche: Disbursement, remaining_fen: int | None = None) -> dict[str, Any]:
    if remaining_fen is None:
        remaining_fen = figures.tranche_room([tranche.application_id])[tranche.application_id]
    return TrancheOut(
        id=tranche.id,
        application_id=tranche.application_id,
        milestone=tranche.milestone,
        amount_yuan=yuan_str(tranche.amount_fen),
        paid_on=tranche.paid_on,
        reference=tranche.reference,
        status=tranche.status,  # type: ignore[arg-type]
        proposed_by_id=tranche.proposed_by_id,
        approved_by_id=tranche.approved_by_id,
        approved_at=tranche.approved_at,
        application_remaining_yuan=yuan_str(remaining_fen),
    ).model_dump(mode="json")


@endpoint(
    "/applications/<int:application_id>/approve",
    methods=("POST",),
    scope="funds:write",
    allow=can_manage_applications,
    body=ApproveIn,
    response=DecisionOut,
    errors=(404, 409),
)
def approve_application(user: Any, application_id: int, body: ApproveIn) -> dict[str, Any]:
    """Approve an application in review; 409 `approval_exceeds_request`, `ceiling_exceeded`
    or `budget_exceeded` (naming what remains), `invalid_transition` when not in review."""
    application = get_or_404(Application, application_id, user, "applications.manage")
    done = decisions.approve_application(
        application, actor=user, amount_fen=parse_yuan(body.amount_yuan), reason=body.reason
    )
    return _decision(done)


@endpoint(
    "/applications/<int:application_id>/reject",
    methods=("POST",),
    scope="funds:write",
    allow=can_manage_applications,
    body=RejectIn,
    response=DecisionOut,
    errors=(404, 409),
)
def reject_application(user: Any, application_id: int, body: RejectIn) -> dict[str, Any]:
    """Reject an application in review, with the reason the team reads."""
    application = get_or_404(Application, application_id, user, "applications.manage")
    return _decision(decisions.reject_application(application, actor=user, reason=body.reason))


@endpoint(
    "/disbursements",
    scope="funds:read",
    allow=can_view_disbursement,
    query=TrancheQuery,
    response=TrancheOut,
    paged=True,
    errors=(404,),
)
def list_tranches(user: Any, query: TrancheQuery) -> dict[str, Any]:
    """The tranches the caller may see: those awaiting approval first, then the newest."""
    if query.application_id is not None:
        get_or_404(Application, query.application_id, user)
    if query.call_id is not None:
        get_or_404(Call, query.call_id, user)
    stmt = figures.tranches(user, application_id=query.application_id, call_id=query.call_id)
    page = paged(stmt, lambda t: t)
    room = figures.tranche_room({t.application_id for t in page["items"]})
    page["items"] = [_tranche(t, room[t.application_id]) for t in page["items"]]
    return page


@endpoint(
    "/disbursements",
    methods=("POST",),
    scope="funds:write",
    allow=can_manage_applications,
    body=TrancheIn,
    response=TrancheOut,
    status=201,
    errors=(404, 409),
)
def propose_tranche(user: Any, body: TrancheIn) -> dict[str, Any]:
    """Propose a tranche (`proposed`; `paid` at once unless the park asks for four eyes);
    409 `disbursement_exceeds_approval` naming what remains."""
    application = get_or_404(Application, body.application_id, user)
    tranche = disbursements.propose_tranche(
        actor=user,
        application_id=application.id,
        milestone=body.milestone,
        amount_fen=parse_yuan(body.amount_yuan),
        paid_on=body.paid_on,
        reference=body.reference,
    )
    return _tranche(tranche)


@endpoint(
    "/disbursements/<int:disbursement_id>/approve",
    methods=("POST",),
    scope="funds:write",
    allow=can_manage_applications,
    response=TrancheOut,
    errors=(404, 409),
)
def approve_tranche(user: Any, disbursement_id: int) -> dict[str, Any]:
    """Approve and pay a proposed tranche; 409 `same_person` when the park asks for four
    eyes, `tranche_paid` when it is paid already."""
    tranche = get_or_404(Disbursement, disbursement_id, user, "applications.manage")
    return _tranche(disbursements.approve_tranche(tranche, actor=user))


@endpoint(
    "/disbursements/<int:disbursement_id>",
    methods=("DELETE",),
    scope="funds:write",
    allow=can_manage_applications,
    status=204,
    errors=(404, 409),
)
def cancel_tranche(user: Any, disbursement_id: int) -> None:
    """Cancel a proposed tranche (the audit log keeps it); 409 `tranche_paid` once paid."""
    tranche = get_or_404(Disbursement, disbursement_id, user, "applications.manage")
    disbursements.cancel_tranche(tranche, actor=user)
