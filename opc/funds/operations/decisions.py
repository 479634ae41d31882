"""Decisions on applications in review: approve an amount within the request, the call's
ceiling per team and its remaining budget, or reject with a reason; the team is notified.

The approving transaction locks the application, then the call (the same order as every
write of funds' money), checks the call's remaining budget under that lock and adds the
amount to `Call.approved_fen` in the same transaction: two staff approving at once cannot
both spend the same remainder (the database's CHECK is the last guard).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from opc.core.db import lock, retrying, transaction, utcnow
from opc.core.errors import NotFound, RuleViolation, ValidationFailed
from opc.core.money import MAX_FEN, yuan_str
from opc.core.permissions import require_actor
from opc.core.values import text_problem
from opc.funds.application_models import Application
from opc.funds.application_models import ApplicationStatus as S
from opc.funds.labels import application_status_label
from opc.funds.models import Call
from opc.funds.notify import APPROVED, REJECTED, notify_decision
from opc.funds.operations.transitions import move
from opc.funds.permissions import can_manage_applications

MAX_REASON = 2000


def clean_reason(reason: Any, *, required: bool) -> str:
    """The reason as kept: stripped text of at most MAX_REASON characters."""
    if reason is None:
        reason = ""
    if not isinstance(reason, str):
        raise ValidationFailed({"reason": [_("Must be text.")]})
    reason = reason.strip()
    if problem := text_problem(reason, multiline=True):
        raise ValidationFailed({"reason": [problem]})
    if len(reason) > MAX_REASON:
        raise ValidationFailed({"reason": [_("At most %(n)d characters.", n=MAX_REASON)]})
    if required and not reason:
        raise ValidationFailed({"reason": [_("Give the reason for the decision.")]})
    return reason


def clean_amount(amount_fen: Any, field: str = "amount_yuan") -> int:
    """A positive amount in fen (the API and the forms parse yuan into fen)."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise ValidationFailed({field: [_("Must be an amount in yuan, e.g. 80.00.")]})
    if not 0 < amount_fen <= MAX_FEN:
        raise ValidationFailed({field: [_("Must be greater than zero.")]})
    return amount_fen


def _locked(application_id: int, actor: Any) -> Application:
    """The application locked, once the actor may decide on it, in review."""
    application = lock(Application, application_id)
    if application is None:
        raise NotFound("not_found", _("Not found."))
    require_actor(can_manage_applications, actor, application)
    if application.status != S.IN_REVIEW:  # screening's refusals are the screeners'
        raise RuleViolation(
            "invalid_transition",
            _(
                "The application is %(status)s: only one in review can be decided.",
                status=application_status_label(application.status),
            ),
            conflict={"application_id": application.id, "status": application.status},
        )
    return application


def check_amount(application: Application, call: Call, amount_fen: int) -> None:
    """409 unless the amount is within the request, the ceiling and the call's remainder."""
    if amount_fen > application.amount_fen:
        raise RuleViolation(
            "approval_exceeds_request",
            _(
                "The team asked for %(asked)s yuan: %(amount)s yuan is more than that.",
                asked=yuan_str(application.amount_fen),
                amount=yuan_str(amount_fen),
            ),
            fields={"amount_yuan": [_("More than the amount requested.")]},
            conflict={
                "application_id": application.id,
                "requested_yuan": yuan_str(application.amount_fen),
            },
        )
    if amount_fen > call.ceiling_fen:
        raise RuleViolation(
            "ceiling_exceeded",
            _(
                "The call grants a team at most %(ceiling)s yuan: %(amount)s yuan is more.",
                ceiling=yuan_str(call.ceiling_fen),
                amount=yuan_str(amount_fen),
            ),
            fields={"amount_yuan": [_("More than the call's ceiling per team.")]},
            conflict={"call_id": call.id, "ceiling_yuan": yuan_str(call.ceiling_fen)},
        )
    if amount_fen > call.remaining_fen:
        raise RuleViolation(
            "budget_exceeded",
            _(
                "The call has %(left)s yuan left of its %(budget)s yuan budget: %(amount)s "
                "yuan is more than that.",
                left=yuan_str(call.remaining_fen),
                budget=yuan_str(call.budget_fen),
                amount=yuan_str(amount_fen),
            ),
            fields={"amount_yuan": [_("More than the call's remaining budget.")]},
            conflict={
                "call_id": call.id,
                "budget_yuan": yuan_str(call.budget_fen),
                "approved_yuan": yuan_str(call.approved_fen),
                "remaining_yuan": yuan_str(call.remaining_fen),
            },
        )


@retrying
def approve_application(
    application: Application, *, actor: Any, amount_fen: Any, reason: Any = ""
) -> Application:
    """Approve an application in review for `amount_fen`, committing it from the call's
    budget; the team's members are notified."""
    amount = clean_amount(amount_fen)
    text = clean_reason(reason, required=False)
    with transaction(actor) as session:
        application = _locked(application.id, actor)
        call = lock(Call, application.call_id)  # after the application: one order for all
        assert call is not None  # a foreign key
        check_amount(application, call, amount)
        move(application, S.APPROVED, actor=actor, note=text)
        application.approved_fen = amount
        application.decision_reason = text
        application.decided_at = utcnow()
        application.decided_by_id = getattr(actor, "id", None)
        call.approved_fen += amount
        session.flush()
        notify_decision(session, application, APPROVED)
    return application


@retrying
def reject_application(application: Application, *, actor: Any, reason: Any) -> Application:
    """Reject an application in review, with the reason the team reads."""
    text = clean_reason(reason, required=True)
    with transaction(actor) as session:
        application = _locked(application.id, actor)
        move(application, S.REJECTED, actor=actor, note=text)
        application.decision_reason = text
        application.decided_at = utcnow()
        application.decided_by_id = getattr(actor, "id", None)
        session.flush()
        notify_decision(session, application, REJECTED)
    return application
