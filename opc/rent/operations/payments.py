"""Payments: staff record what a team paid; it settles the oldest issued statements first.

A payment may not exceed what the team owes (issued less paid): 409 payment_exceeds_balance.
Credit is not kept on account — a park that receives more returns it or waits for the next
statement — so a team's balance is never negative by a payment. The team's row is locked
before its balance is read, so two payments at once cannot both pass on the same balance.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _

from opc.core.dates import check_dates, local_today
from opc.core.db import lock, retrying, transaction
from opc.core.errors import RuleViolation, ValidationFailed
from opc.core.money import MAX_FEN, yuan_str
from opc.core.permissions import require_actor
from opc.core.values import is_id, text_problem
from opc.rent.balances import balances
from opc.rent.payments_model import METHODS, Payment
from opc.rent.permissions import can_issue_statements
from opc.teams.models import Team

MAX_REFERENCE = 100
FAPIAO_PATTERN = r"^[0-9A-Za-z-]{0,40}$"


def _clean(amount_fen: Any, paid_on: Any, method: Any, reference: Any, fapiao: Any) -> None:
    errors: dict[str, list[str]] = {}
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        errors["amount_yuan"] = [_("Must be an amount in yuan, e.g. 80.00.")]
    elif not 0 < amount_fen <= MAX_FEN:
        errors["amount_yuan"] = [_("Must be greater than zero.")]
    if not isinstance(paid_on, date):
        errors["paid_on"] = [_("Not a date.")]
    if method not in METHODS:
        errors["method"] = [_("Must be one of: %(known)s.", known=", ".join(METHODS))]
    if not isinstance(reference, str) or len(reference) > MAX_REFERENCE:
        errors["reference"] = [_("At most %(n)d characters.", n=MAX_REFERENCE)]
    elif problem := text_problem(reference):
        errors["reference"] = [problem]
    if not isinstance(fapiao, str) or not re.fullmatch(FAPIAO_PATTERN, fapiao):
        errors["fapiao"] = [_("An e-fapiao number: up to 40 digits and letters.")]
    if errors:
        raise ValidationFailed(errors)
    check_dates(paid_on=paid_on)


@retrying
def record_payment(
    *,
    actor: Any,
    team_id: int,
    amount_fen: int,
    paid_on: date,
    method: str = "bank_transfer",
    reference: str = "",
    fapiao: str = "",
) -> Payment:
    """Record a team's payment (staff of its park)."""
    reference, fapiao = (reference or "").strip(), (fapiao or "").strip()
    _clean(amount_fen, paid_on, method, reference, fapiao)
    with transaction(actor) as session:
        team = lock(Team, team_id) if is_id(team_id) else None
        if team is None:
            raise ValidationFailed({"team_id": [_("No such team.")]})
        require_actor(can_issue_statements, actor, team)
        today = local_today(team.park.timezone)
        if paid_on > today:
            raise ValidationFailed({"paid_on": [_("The date may not be in the future.")]})
        owed = balances(session, today, team_id=team.id).get(team.id)
        balance = owed.balance_fen if owed else 0
        if amount_fen > balance:
            raise RuleViolation(
                "payment_exceeds_balance",
                _(
                    "%(team)s owes %(balance)s yuan: a payment of %(amount)s yuan is more "
                    "than that.",
                    team=team.name_zh,
                    balance=yuan_str(balance),
                    amount=yuan_str(amount_fen),
                ),
                fields={"amount_yuan": [_("More than the balance.")]},
                conflict={"team_id": team.id, "balance_yuan": yuan_str(balance)},
            )
        payment = Payment(
            park_id=team.park_id,
            team_id=team.id,
            amount_fen=amount_fen,
            paid_on=paid_on,
            method=method,
            reference=reference,
            fapiao=fapiao,
            recorded_by_id=getattr(actor, "id", None),
        )
        session.add(payment)
        session.flush()
    return payment
