"""Policies: the measures a park applies, with their rent benefit (admins configure them)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from opc.core.db import lock, retrying, transaction
from opc.core.errors import RuleViolation, ValidationFailed
from opc.core.permissions import require_actor
from opc.core.values import decimal_number, is_id, text_problem, whole_number
from opc.parks.models import Park
from opc.rent.models import Policy, PolicyStep
from opc.rent.permissions import can_manage_policies
from opc.teams.models import TeamKind, Track

# The bounds of a policy's values, here only: the API's schema states them from these.
MAX_LENGTH = {"code": 40, "name_zh": 200, "name_en": 200, "document": 300}
MAX_STEPS = 12
MAX_MONTHS = 600  # fifty years: no schedule or clawback runs longer
MAX_PERCENT = Decimal("100.00")
MAX_AREA_CAP = Decimal("99999999.99")  # Numeric(10, 2)


def _texts(values: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, limit in MAX_LENGTH.items():
        value = values.get(key) or ""
        if not isinstance(value, str):
            errors[key] = [_("Must be text.")]
        elif problem := text_problem(value.strip()):
            errors[key] = [problem]
        elif len(value.strip()) > limit:
            errors[key] = [_("At most %(n)d characters.", n=limit)]
        else:
            out[key] = value.strip()
    for key in ("code", "name_zh"):
        if key not in errors and not out.get(key):
            errors[key] = [_("Required.")]
    return out


def clean_percent(value: Any) -> Decimal:
    """A percentage over 0 and at most 100, with at most two places ("12.5")."""
    number = decimal_number(value, maximum=MAX_PERCENT, places=2)
    return number


def _steps(raw: Any, errors: dict[str, list[str]]) -> list[tuple[int | None, Decimal]]:
    if not isinstance(raw, list) or not raw or len(raw) > MAX_STEPS:
        errors["steps"] = [_("Give 1 to %(n)d steps.", n=MAX_STEPS)]
        return []
    steps: list[tuple[int | None, Decimal]] = []
    for i, step in enumerate(raw):
        if not isinstance(step, dict):
            errors[f"steps.{i}"] = [_("A step has months and a percent.")]
            continue
        months = step.get("months")
        try:
            months = None if months is None else whole_number(months, 1, MAX_MONTHS)
            if months is None and i != len(raw) - 1:
                raise ValueError(_("Only the last step may run without an end."))
            steps.append((months, clean_percent(step.get("percent"))))
        except ValueError as exc:
            errors[f"steps.{i}"] = [str(exc)]
    return steps


def _choices(raw: Any, known: set[str], key: str, errors: dict[str, list[str]]) -> list[str]:
    values = list(raw or [])
    unknown = [v for v in values if v not in known]
    if unknown:
        errors[key] = [_("Unknown: %(v)s.", v=", ".join(map(str, unknown))[:200])]
    return sorted(set(values) - set(unknown))


def clean_policy(values: dict[str, Any]) -> dict[str, Any]:
    """Checked policy values; ValidationFailed lists every bad field at once."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = _texts(values, errors)
    out["steps"] = _steps(values.get("steps"), errors)
    cap = values.get("area_cap_m2")
    try:
        out["area_cap_m2"] = None if cap is None else decimal_number(cap, maximum=MAX_AREA_CAP)
    except ValueError as exc:
        errors["area_cap_m2"] = [str(exc)]
    out["tracks"] = _choices(values.get("tracks"), {t.value for t in Track}, "tracks", errors)
    out["kinds"] = _choices(values.get("kinds"), {k.value for k in TeamKind}, "kinds", errors)
    within, last = values.get("clawback_within_months"), values.get("clawback_last_months")
    if (within is None) != (last is None):
        errors["clawback_last_months"] = [
            _("A clawback needs both its months: within how many, and how many back.")
        ]
    for key, value in (("clawback_within_months", within), ("clawback_last_months", last)):
        try:
            out[key] = None if value is None else whole_number(value, 1, MAX_MONTHS)
        except ValueError as exc:
            errors[key] = [str(exc)]
    if errors:
        raise ValidationFailed(errors)
    return out


@retrying
def create_policy(*, actor: Any, park_id: int, **values: Any) -> Policy:
    """A policy of the park, with its step schedule (admins)."""
    cleaned = clean_policy(values)
    steps = cleaned.pop("steps")
    with transaction(actor) as session:
        park = lock(Park, park_id) if is_id(park_id) else None
        if park is None:
            raise ValidationFailed({"park_id": [_("No such park.")]})
        require_actor(can_manage_policies, actor, park)
        taken = session.scalar(
            select(Policy.id).where(Policy.park_id == park.id, Policy.code == cleaned["code"])
        )
        if taken:
            message = _("The park has a policy with code %(code)s.", code=cleaned["code"])
            raise RuleViolation(
                "policy_code_taken",
                message,
                fields={"code": [message]},
                conflict={"policy_id": taken},
            )
        policy = Policy(park_id=park.id, **cleaned)
        policy.steps = [
            PolicyStep(position=i, months=months, percent=percent)
            for i, (months, percent) in enumerate(steps, start=1)
        ]
        session.add(policy)
        session.flush()
    return policy
