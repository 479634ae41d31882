"""Programmes: the compute subsidy pools a park runs (admins configure them).

Defaults, so that the API's short form (`park_id`, `name`, `budget_yuan`, `rate_percent`)
makes a usable programme: the code is generated (`CP<year>-<n>`, the first free one of the
park), and the validity runs from the park's today to the end of that calendar year (the
programmes parks publish are yearly). A change never strands what was granted: the budget
stays at least what the vouchers hold, the cap at least what any team holds in a year, the
validity around every voucher's window, and a provider a voucher names stays designated.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from opc.compute.models import Programme, Provider, Voucher, voucher_providers
from opc.compute.permissions import can_manage_programmes
from opc.compute.queries import granted_fen
from opc.core.dates import check_dates, format_day, local_today
from opc.core.db import lock, retrying, transaction
from opc.core.errors import RuleViolation, ValidationFailed
from opc.core.money import MAX_FEN, yuan_str
from opc.core.permissions import require_actor
from opc.core.values import decimal_number, is_id, text_problem
from opc.parks.models import Park
from opc.teams.models import Track

# The bounds of a programme's values, here only: the API's schema states them from these.
MAX_LENGTH = {"code": 40, "name_zh": 200, "name_en": 200, "document": 300}
MAX_PERCENT = Decimal("100.00")
MAX_PROVIDERS = 50
CODE_PATTERN = r"^[0-9A-Za-z._-]*$"

Errors = dict[str, list[str]]


def _texts(values: dict[str, Any], errors: Errors, *, partial: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, limit in MAX_LENGTH.items():
        if partial and key not in values:
            continue
        value = values.get(key) or ""
        if not isinstance(value, str):
            errors[key] = [_("Must be text.")]
        elif problem := text_problem(value.strip()):
            errors[key] = [problem]
        elif len(value.strip()) > limit:
            errors[key] = [_("At most %(n)d characters.", n=limit)]
        else:
            out[key] = value.strip()
    if "name_zh" in out and not out["name_zh"]:
        errors["name_zh"] = [_("Required.")]
    if partial and "code" in out and not out["code"]:
        errors["code"] = [_("Required.")]
    return out


def _fen(value: Any, key: str, errors: Errors, *, required: bool) -> int | None:
    if value is None:
        if required:
            errors[key] = [_("Required.")]
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors[key] = [_("Must be an amount in yuan, e.g. 80.00.")]
    elif not 0 < value <= MAX_FEN:
        errors[key] = [_("Must be greater than zero.")]
    else:
        return value
    return None


def _ids(raw: Any, key: str, errors: Errors) -> list[int]:
    values = list(raw or []) if isinstance(raw, list | tuple | set | None) else None
    if values is None or len(values) > MAX_PROVIDERS or not all(is_id(v) for v in values):
        errors[key] = [_("Give up to %(n)d provider ids.", n=MAX_PROVIDERS)]
        return []
    return sorted(set(values))


def clean_programme(values: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Checked programme values (only those given when `partial`); ValidationFailed lists
    every bad field at once. Amounts are fen (`budget_fen`, `team_cap_fen`)."""
    errors: Errors = {}
    out: dict[str, Any] = _texts(values, errors, partial=partial)
    if out.get("code") and not re.fullmatch(CODE_PATTERN, out["code"]):
        errors["code"] = [_("Letters, digits, dots, dashes and underscores only.")]
    if not partial and not out.get("name_zh") and "name_zh" not in errors:
        errors["name_zh"] = [_("Required.")]
    if not partial or "budget_fen" in values:
        out["budget_fen"] = _fen(values.get("budget_fen"), "budget_yuan", errors, required=True)
    if not partial or "team_cap_fen" in values:
        out["team_cap_fen"] = _fen(
            values.get("team_cap_fen"), "team_cap_yuan", errors, required=False
        )
    if not partial or "rate_percent" in values:
        try:
            out["rate_percent"] = decimal_number(
                values.get("rate_percent"), maximum=MAX_PERCENT, places=2
            )
        except ValueError as exc:
            errors["rate_percent"] = [str(exc)]
    for key in ("valid_from", "valid_to"):
        if key in values and values[key] is not None:
            if isinstance(values[key], date):
                out[key] = values[key]
            else:
                errors[key] = [_("Not a date.")]
    if not partial or "tracks" in values:
        raw = values.get("tracks") or []
        known = {t.value for t in Track}
        unknown = [t for t in raw if t not in known]
        if unknown:
            errors["tracks"] = [_("Unknown: %(v)s.", v=", ".join(map(str, unknown))[:200])]
        out["tracks"] = sorted(set(raw) - set(unknown))
    if not partial or "provider_ids" in values:
        out["provider_ids"] = _ids(values.get("provider_ids"), "provider_ids", errors)
    budget, cap = out.get("budget_fen"), out.get("team_cap_fen")
    if budget and cap and cap > budget:
        errors["team_cap_yuan"] = [_("The cap per team may not exceed the budget.")]
    if errors:
        raise ValidationFailed(errors)
    check_dates(valid_from=out.get("valid_from"), valid_to=out.get("valid_to"))
    return out


def _window(valid_from: date, valid_to: date) -> None:
    if valid_to < valid_from:
        raise ValidationFailed(
            {"valid_to": [_("Not before the first valid day (%(d)s).", d=format_day(valid_from))]}
        )


def _providers(session: Session, ids: list[int]) -> list[Provider]:
    if not ids:
        return []
    found = list(session.scalars(select(Provider).where(Provider.id.in_(ids))))
    missing = sorted(set(ids) - {p.id for p in found})
    if missing:
        raise ValidationFailed(
            {"provider_ids": [_("No such provider: %(ids)s.", ids=", ".join(map(str, missing)))]}
        )
    return sorted(found, key=lambda p: p.id)


def _code_taken(session: Session, park_id: int, code: str, but: int | None = None) -> None:
    stmt = select(Programme.id).where(Programme.park_id == park_id, Programme.code == code)
    if but is not None:
        stmt = stmt.where(Programme.id != but)
    if taken := session.scalar(stmt):
        message = _("The park has a programme with code %(code)s.", code=code)
        raise RuleViolation(
            "programme_code_taken",
            message,
            fields={"code": [message]},
            conflict={"programme_id": taken},
        )


def _free_code(session: Session, park_id: int, year: int) -> str:
    codes = set(session.scalars(select(Programme.code).where(Programme.park_id == park_id)))
    n = 1
    while f"CP{year}-{n:02d}" in codes:
        n += 1
    return f"CP{year}-{n:02d}"


@retrying
def create_programme(*, actor: Any, park_id: int, **values: Any) -> Programme:
    """A programme of the park (admins). Without a code one is generated; without validity
    it runs from the park's today to the end of that year."""
    cleaned = clean_programme(values)
    provider_ids = cleaned.pop("provider_ids")
    with transaction(actor) as session:
        park = lock(Park, park_id) if is_id(park_id) else None
        if park is None:
            raise ValidationFailed({"park_id": [_("No such park.")]})
        require_actor(can_manage_programmes, actor, park)
        today = local_today(park.timezone)
        cleaned.setdefault("valid_from", today)
        cleaned.setdefault("valid_to", date(cleaned["valid_from"].year, 12, 31))
        _window(cleaned["valid_from"], cleaned["valid_to"])
        if cleaned.get("code"):
            _code_taken(session, park.id, cleaned["code"])
        else:
            cleaned["code"] = _free_code(session, park.id, cleaned["valid_from"].year)
        programme = Programme(park_id=park.id, **cleaned)
        programme.providers = _providers(session, provider_ids)
        session.add(programme)
        session.flush()
    return programme


def _keep_grants(session: Session, programme: Programme, changes: dict[str, Any]) -> None:
    """Refuse a change that would leave a granted voucher outside the programme's terms."""
    conflict = {"programme_id": programme.id}
    budget = changes.get("budget_fen", programme.budget_fen)
    granted = granted_fen(session, programme.id)
    if budget < granted:
        raise RuleViolation(
            "budget_below_granted",
            _(
                "The vouchers granted hold %(granted)s yuan: the budget may not be less.",
                granted=yuan_str(granted),
            ),
            fields={"budget_yuan": [_("Less than granted.")]},
            conflict={**conflict, "granted_yuan": yuan_str(granted)},
        )
    cap = changes.get("team_cap_fen", programme.team_cap_fen)
    if cap is not None and cap > budget:
        raise ValidationFailed(
            {"team_cap_yuan": [_("The cap per team may not exceed the budget.")]}
        )
    if cap is not None:
        year = extract("year", Voucher.valid_from)
        most = session.execute(
            select(Voucher.team_id, year, func.sum(Voucher.amount_fen))
            .where(Voucher.programme_id == programme.id)
            .group_by(Voucher.team_id, year)
            .order_by(func.sum(Voucher.amount_fen).desc())
            .limit(1)
        ).first()
        if most is not None and most[2] > cap:
            raise RuleViolation(
                "cap_below_granted",
                _(
                    "A team holds %(held)s yuan of vouchers in %(year)d: the cap may not be less.",
                    held=yuan_str(int(most[2])),
                    year=int(most[1]),
                ),
                fields={"team_cap_yuan": [_("Less than a team holds.")]},
                conflict={**conflict, "team_id": most[0], "year": int(most[1])},
            )
    valid_from = changes.get("valid_from", programme.valid_from)
    valid_to = changes.get("valid_to", programme.valid_to)
    _window(valid_from, valid_to)
    outside = session.scalar(
        select(Voucher.id)
        .where(
            Voucher.programme_id == programme.id,
            (Voucher.valid_from < valid_from) | (Voucher.valid_to > valid_to),
        )
        .limit(1)
    )
    if outside is not None:
        raise RuleViolation(
            "vouchers_outside_validity",
            _("Voucher %(id)d runs outside these dates: the programme must cover it.", id=outside),
            conflict={**conflict, "voucher_id": outside},
        )
    if "provider_ids" in changes:
        kept = set(changes["provider_ids"])
        named = session.execute(
            select(voucher_providers.c.voucher_id, voucher_providers.c.provider_id)
            .join(Voucher, Voucher.id == voucher_providers.c.voucher_id)
            .where(Voucher.programme_id == programme.id)
        ).all()
        dropped = sorted({(v, p) for v, p in named if p not in kept})
        if dropped:
            voucher_id, provider_id = dropped[0]
            raise RuleViolation(
                "provider_in_use",
                _(
                    "Voucher %(voucher)d is redeemable at provider %(provider)d: it stays "
                    "designated.",
                    voucher=voucher_id,
                    provider=provider_id,
                ),
                fields={"provider_ids": [_("A voucher names this provider.")]},
                conflict={**conflict, "voucher_id": voucher_id, "provider_id": provider_id},
            )


@retrying
def update_programme(programme: Programme, *, actor: Any, **values: Any) -> Programme:
    """Change a programme's terms (admins); what is given changes, the rest stays."""
    changes = clean_programme(values, partial=True)
    with transaction(actor) as session:
        programme = lock(Programme, programme.id)
        require_actor(can_manage_programmes, actor, programme)
        if changes.get("code"):
            _code_taken(session, programme.park_id, changes["code"], but=programme.id)
        _keep_grants(session, programme, changes)
        provider_ids = changes.pop("provider_ids", None)
        for key, value in changes.items():
            setattr(programme, key, value)
        if provider_ids is not None:
            programme.providers = _providers(session, provider_ids)
        session.flush()
    return programme
