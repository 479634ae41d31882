"""Tranches paid against an approved application, each tied to one of its milestones.

Staff propose a tranche; when the park asks for four eyes (opc.funds.settings) another
person approves it, else it is paid when proposed. A proposed tranche can be cancelled
(deleted; the audit log keeps it) until it is paid.

Every write locks the application, then (when paying) the call, and only then reads the
tranches it checks: proposed and paid tranches together never exceed the approval, even
when two staff propose at once. Paying adds to `Application.disbursed_fen` and
`Call.disbursed_fen` in the same transaction; the tranche that reaches the approval moves
the application to `disbursed`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opc.core.dates import check_dates
from opc.core.db import lock, retrying, transaction, utcnow
from opc.core.errors import NotFound, RuleViolation, ValidationFailed
from opc.core.money import yuan_str
from opc.core.permissions import require_actor
from opc.core.values import is_id, text_problem
from opc.funds.application_models import Application, Disbursement, TrancheStatus
from opc.funds.application_models import ApplicationStatus as S
from opc.funds.labels import application_status_label
from opc.funds.models import Call
from opc.funds.operations.decisions import clean_amount
from opc.funds.operations.transitions import move
from opc.funds.permissions import can_manage_applications
from opc.funds.settings import TRANCHE_FOUR_EYES
from opc.parks.settings import value_of

MAX_MILESTONE = 200
MAX_REFERENCE = 100


def _text(errors: dict[str, list[str]], name: str, value: Any, limit: int) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[name] = [_("Must be text.")]
        return ""
    value = value.strip()
    if problem := text_problem(value):
        errors[name] = [problem]
    elif len(value) > limit:
        errors[name] = [_("At most %(n)d characters.", n=limit)]
    return value


def clean_tranche(milestone: Any, paid_on: Any, reference: Any) -> dict[str, Any]:
    """The tranche's milestone, date and reference as kept; 422 naming every bad one."""
    errors: dict[str, list[str]] = {}
    out = {
        "milestone": _text(errors, "milestone", milestone, MAX_MILESTONE),
        "reference": _text(errors, "reference", reference, MAX_REFERENCE),
        "paid_on": paid_on,
    }
    if "milestone" not in errors and not out["milestone"]:
        errors["milestone"] = [_("Name the milestone the tranche pays for.")]
    if not isinstance(paid_on, date):
        errors["paid_on"] = [_("A date is required.")]
    if errors:
        raise ValidationFailed(errors)
    check_dates(paid_on=paid_on)
    return out


def reserved_fen(session: Session, application_id: int) -> int:
    """What the application's tranches take of its approval: proposed and paid."""
    stmt = select(func.coalesce(func.sum(Disbursement.amount_fen), 0)).where(
        Disbursement.application_id == application_id
    )
    return int(session.scalar(stmt) or 0)


def _locked_application(application_id: Any, actor: Any) -> Application:
    application = lock(Application, application_id) if is_id(application_id) else None
    if application is None:
        raise ValidationFailed({"application_id": [_("No such application.")]})
    require_actor(can_manage_applications, actor, application)
    return application


def _check_milestone(application: Application, milestone: str) -> None:
    titles = [str(m.get("title", "")).strip() for m in application.milestones or []]
    titles = [t for t in titles if t]
    if titles and milestone not in titles:
        raise ValidationFailed(
            {
                "milestone": [
                    _(
                        "Not one of the application's milestones: %(titles)s.",
                        titles="、".join(titles),
                    )
                ]
            }
        )


def _check_room(session: Session, application: Application, amount_fen: int) -> None:
    approved = application.approved_fen or 0
    left = approved - reserved_fen(session, application.id)
    if amount_fen > left:
        raise RuleViolation(
            "disbursement_exceeds_approval",
            _(
                "%(left)s yuan of the %(approved)s yuan approved is not yet paid or proposed: "
                "a tranche of %(amount)s yuan is more than that.",
                left=yuan_str(left),
                approved=yuan_str(approved),
                amount=yuan_str(amount_fen),
            ),
            fields={"amount_yuan": [_("More than the approval has left.")]},
            conflict={
                "application_id": application.id,
                "approved_yuan": yuan_str(approved),
                "remaining_yuan": yuan_str(left),
            },
        )


def _pay(session: Session, tranche: Disbursement, application: Application, actor: Any) -> None:
    """Pay the tranche: the sums kept, and the application disbursed once fully paid."""
    call = lock(Call, application.call_id)
    assert call is not None  # a foreign key
    tranche.status = TrancheStatus.PAID
    tranche.approved_by_id = getattr(actor, "id", None)
    tranche.approved_at = utcnow()
    application.disbursed_fen += tranche.amount_fen
    call.disbursed_fen += tranche.amount_fen
    if application.disbursed_fen == application.approved_fen:
        move(application, S.DISBURSED, actor=actor, note=tranche.milestone)


def four_eyes(park_id: int) -> bool:
    """Whether the park asks for a second person to approve tranches."""
    return bool(value_of(park_id, TRANCHE_FOUR_EYES.key))


@retrying
def propose_tranche(
    *,
    actor: Any,
    application_id: int,
    milestone: Any,
    amount_fen: Any,
    paid_on: Any,
    reference: Any = "",
) -> Disbursement:
    """Propose a tranche of an approved application (paid at once unless the park asks for
    four eyes)."""
    amount = clean_amount(amount_fen)
    values = clean_tranche(milestone, paid_on, reference)
    with transaction(actor) as session:
        application = _locked_application(application_id, actor)
        if application.status != S.APPROVED:
            raise RuleViolation(
                "application_not_approved",
                _(
                    "The application is %(status)s: tranches are paid against an approved one.",
                    status=application_status_label(application.status),
                ),
                conflict={"application_id": application.id, "status": application.status},
            )
        _check_milestone(application, values["milestone"])
        _check_room(session, application, amount)
        tranche = Disbursement(
            application_id=application.id,
            amount_fen=amount,
            status=TrancheStatus.PROPOSED,
            proposed_by_id=getattr(actor, "id", None),
            **values,
        )
        if not four_eyes(application.park_id):
            _pay(session, tranche, application, actor)  # before it is added: one INSERT
        session.add(tranche)
        session.flush()
    return tranche


def _locked_tranche(session: Session, tranche_id: int, actor: Any) -> Disbursement:
    tranche = session.get(Disbursement, tranche_id)
    if tranche is None:
        raise NotFound("not_found", _("Not found."))
    _locked_application(tranche.application_id, actor)
    session.refresh(tranche)
    if tranche.status != TrancheStatus.PROPOSED:
        raise RuleViolation(
            "tranche_paid",
            _("The tranche is paid already."),
            conflict={"disbursement_id": tranche.id, "status": tranche.status},
        )
    return tranche


@retrying
def approve_tranche(tranche: Disbursement, *, actor: Any) -> Disbursement:
    """Approve and pay a proposed tranche; four eyes when the park asks for them."""
    with transaction(actor) as session:
        tranche = _locked_tranche(session, tranche.id, actor)
        application = tranche.application
        if (
            four_eyes(application.park_id)
            and actor is not None
            and tranche.proposed_by_id == actor.id
        ):
            raise RuleViolation(
                "same_person",
                _("The park asks for four eyes: another person must approve this tranche."),
                conflict={"disbursement_id": tranche.id, "proposed_by_id": tranche.proposed_by_id},
            )
        _pay(session, tranche, application, actor)
        session.flush()
    return tranche


@retrying
def cancel_tranche(tranche: Disbursement, *, actor: Any) -> None:
    """Cancel a proposed tranche (it is deleted; the audit log keeps it)."""
    with transaction(actor) as session:
        tranche = _locked_tranche(session, tranche.id, actor)
        session.delete(tranche)
        session.flush()
