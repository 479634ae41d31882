"""Funds: the money a park's owner puts up for calls (admins set them up).

A fund's budget bounds what its calls may commit: the sum of their budgets is kept on the
fund (`Fund.calls_fen`) by the call operations under the fund's row lock, and a fund's
budget may never drop below it (409 `fund_budget_below_calls`, naming the sum).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from opc.core.db import lock, retrying, transaction
from opc.core.errors import RuleViolation, ValidationFailed
from opc.core.money import MAX_FEN, yuan_str
from opc.core.permissions import require_actor
from opc.core.values import is_id, text_problem
from opc.funds.models import Fund
from opc.funds.permissions import can_manage_funds
from opc.parks.models import Park

# The bounds of a fund's values, here only: the API's schema states them from these.
MAX_LENGTH = {"name_zh": 200, "name_en": 200, "description": 4000}
MULTILINE = frozenset({"description"})

Errors = dict[str, list[str]]


def clean_texts(
    values: dict[str, Any],
    limits: dict[str, int],
    errors: Errors,
    *,
    partial: bool,
    multiline: frozenset[str] = MULTILINE,
) -> dict[str, str]:
    """The texts of `values` named in `limits`, stripped and checked (line breaks only in
    those named `multiline`; only those given when `partial`); problems go to `errors`."""
    out: dict[str, str] = {}
    for key, limit in limits.items():
        if partial and key not in values:
            continue
        value = values.get(key)
        value = "" if value is None else value
        if not isinstance(value, str):
            errors[key] = [_("Must be text.")]
        elif problem := text_problem(value.strip(), multiline=key in multiline):
            errors[key] = [problem]
        elif len(value.strip()) > limit:
            errors[key] = [_("At most %(n)d characters.", n=limit)]
        else:
            out[key] = value.strip()
    return out


def clean_fen(values: dict[str, Any], key: str, field: str, errors: Errors) -> int | None:
    """An amount in fen over zero (reported under the API's `field`, e.g. budget_yuan)."""
    value = values.get(key)
    if value is None:
        errors[field] = [_("Required.")]
    elif isinstance(value, bool) or not isinstance(value, int):
        errors[field] = [_("Must be an amount in yuan, e.g. 80.00.")]
    elif not 0 < value <= MAX_FEN:
        errors[field] = [_("Must be greater than zero.")]
    else:
        return value
    return None


def clean_fund(values: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Checked fund values (only those given when `partial`); ValidationFailed lists every
    bad field at once. The budget is fen (`budget_fen`)."""
    errors: Errors = {}
    out: dict[str, Any] = clean_texts(values, MAX_LENGTH, errors, partial=partial)
    if "name_zh" in out and not out["name_zh"]:
        errors["name_zh"] = [_("Required.")]
    if not partial or "budget_fen" in values:
        out["budget_fen"] = clean_fen(values, "budget_fen", "budget_yuan", errors)
    if errors:
        raise ValidationFailed(errors)
    return out


@retrying
def create_fund(*, actor: Any, park_id: int, **values: Any) -> Fund:
    """A fund of the park (admins)."""
    cleaned = clean_fund(values)
    with transaction(actor) as session:
        park = session.get(Park, park_id) if is_id(park_id) else None
        if park is None:
            raise ValidationFailed({"park_id": [_("No such park.")]})
        require_actor(can_manage_funds, actor, park)
        fund = Fund(park_id=park.id, calls_fen=0, **cleaned)
        session.add(fund)
        session.flush()
    return fund


@retrying
def update_fund(fund: Fund, *, actor: Any, **values: Any) -> Fund:
    """Change a fund's names or budget (admins); the budget stays at least what its calls
    commit, read under the fund's lock (the call operations take it too)."""
    changes = clean_fund(values, partial=True)
    with transaction(actor) as session:
        found = lock(Fund, fund.id)
        if found is None:
            raise ValidationFailed({"fund_id": [_("No such fund.")]})
        require_actor(can_manage_funds, actor, found)
        budget = changes.get("budget_fen", found.budget_fen)
        if budget < found.calls_fen:
            committed = yuan_str(found.calls_fen)
            raise RuleViolation(
                "fund_budget_below_calls",
                _(
                    "The fund's calls commit %(sum)s yuan: the budget may not be less.",
                    sum=committed,
                ),
                fields={"budget_yuan": [_("Less than the calls commit.")]},
                conflict={"fund_id": found.id, "committed_yuan": committed},
            )
        for key, value in changes.items():
            setattr(found, key, value)
        session.flush()
    return found
