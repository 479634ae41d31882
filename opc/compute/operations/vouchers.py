"""Vouchers: staff grant a team an amount under a programme of its park.

The programme's row is locked before its sums are read, so two staff granting at once can
exceed neither the pool (the vouchers' amounts never above the budget) nor a team's cap
for a calendar year (the amounts of its vouchers whose first valid day falls in that year).
The lock is per programme: grants under other programmes never wait for it.

A voucher goes to a team of the programme's park that is admitted or resident, of a track
the programme is for; it is valid within the programme's validity, and redeemable at some
of the programme's designated providers (none listed: all of them).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from opc.compute.models import Programme, Provider, Voucher
from opc.compute.permissions import can_grant_vouchers
from opc.compute.queries import ELIGIBLE_STATUSES, granted_fen
from opc.core.dates import check_dates, format_day
from opc.core.db import lock, retrying, transaction
from opc.core.errors import RuleViolation, ValidationFailed
from opc.core.money import MAX_FEN, yuan_str
from opc.core.permissions import require_actor
from opc.core.values import decimal_number, is_id
from opc.teams.labels import status_label, track_label
from opc.teams.models import Team

# The bounds of a voucher's values, here only: the API's schema states them from these.
MAX_GPU_HOURS = Decimal("9999999999.99")
MAX_PROVIDERS = 50

Errors = dict[str, list[str]]


def _clean(
    amount_fen: Any, valid_from: Any, valid_to: Any, gpu_hours: Any, provider_ids: Any
) -> dict[str, Any]:
    errors: Errors = {}
    out: dict[str, Any] = {}
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        errors["amount_yuan"] = [_("Must be an amount in yuan, e.g. 80.00.")]
    elif not 0 < amount_fen <= MAX_FEN:
        errors["amount_yuan"] = [_("Must be greater than zero.")]
    else:
        out["amount_fen"] = amount_fen
    for key, value in (("valid_from", valid_from), ("valid_to", valid_to)):
        if not isinstance(value, date):
            errors[key] = [_("Required.") if value is None else _("Not a date.")]
    if isinstance(valid_from, date) and isinstance(valid_to, date) and valid_to < valid_from:
        errors["valid_to"] = [
            _("Not before the first valid day (%(d)s).", d=format_day(valid_from))
        ]
    out["gpu_hours_hundredths"] = None
    if gpu_hours not in (None, ""):
        try:
            hours = decimal_number(gpu_hours, maximum=MAX_GPU_HOURS, places=2)
            out["gpu_hours_hundredths"] = int(hours * 100)
        except ValueError as exc:
            errors["gpu_hours"] = [str(exc)]
    ids = list(provider_ids or []) if isinstance(provider_ids, list | tuple | set | None) else None
    if ids is None or len(ids) > MAX_PROVIDERS or not all(is_id(i) for i in ids):
        errors["provider_ids"] = [_("Give up to %(n)d provider ids.", n=MAX_PROVIDERS)]
    else:
        out["provider_ids"] = sorted(set(ids))
    if errors:
        raise ValidationFailed(errors)
    check_dates(valid_from=valid_from, valid_to=valid_to)
    out.update(valid_from=valid_from, valid_to=valid_to)
    return out


def _team(session: Session, team_id: Any, programme: Programme) -> Team:
    team = session.get(Team, team_id) if is_id(team_id) else None
    if team is None or team.park_id != programme.park_id:
        raise ValidationFailed({"team_id": [_("No such team in the programme's park.")]})
    return team


def _eligible(programme: Programme, team: Team) -> None:
    if team.status not in ELIGIBLE_STATUSES:
        raise RuleViolation(
            "team_not_admitted",
            _(
                "%(team)s is %(status)s: vouchers go to admitted and resident teams.",
                team=team.name_zh,
                status=status_label(team.status),
            ),
            conflict={"team_id": team.id, "status": team.status},
        )
    if programme.tracks and team.track not in programme.tracks:
        raise RuleViolation(
            "programme_not_eligible",
            _(
                "%(programme)s is not for teams of the track %(track)s.",
                programme=programme.code,
                track=track_label(team.track),
            ),
            conflict={"programme_id": programme.id, "tracks": programme.tracks, "team_id": team.id},
        )


def _within_programme(programme: Programme, valid_from: date, valid_to: date) -> None:
    """A voucher's window lies within its programme's (422 on the day that does not)."""
    errors: Errors = {}
    window = {"start": programme.valid_from.isoformat(), "end": programme.valid_to.isoformat()}
    message = _("The programme runs from %(start)s to %(end)s.", **window)
    if not programme.valid_from <= valid_from <= programme.valid_to:
        errors["valid_from"] = [message]
    if not programme.valid_from <= valid_to <= programme.valid_to:
        errors["valid_to"] = [message]
    if errors:
        raise ValidationFailed(errors, message)


def _providers(programme: Programme, ids: list[int]) -> list[Provider]:
    designated = {p.id: p for p in programme.providers}
    others = [i for i in ids if i not in designated]
    if others:
        raise ValidationFailed(
            {
                "provider_ids": [
                    _(
                        "Not designated by the programme: %(ids)s.",
                        ids=", ".join(map(str, others)),
                    )
                ]
            }
        )
    return [designated[i] for i in ids]


def _check_pool(session: Session, programme: Programme, amount_fen: int) -> None:
    granted = granted_fen(session, programme.id)
    left = programme.budget_fen - granted
    if amount_fen > left:
        raise RuleViolation(
            "pool_exceeded",
            _(
                "%(programme)s has %(left)s yuan left of its %(budget)s yuan pool: a voucher "
                "of %(amount)s yuan is more than that.",
                programme=programme.code,
                left=yuan_str(left),
                budget=yuan_str(programme.budget_fen),
                amount=yuan_str(amount_fen),
            ),
            fields={"amount_yuan": [_("More than the pool has left.")]},
            conflict={
                "programme_id": programme.id,
                "budget_yuan": yuan_str(programme.budget_fen),
                "granted_yuan": yuan_str(granted),
                "remaining_yuan": yuan_str(left),
            },
        )


def _check_cap(session: Session, programme: Programme, team: Team, amount: int, year: int) -> None:
    if programme.team_cap_fen is None:
        return
    granted = granted_fen(session, programme.id, team_id=team.id, year=year)
    left = programme.team_cap_fen - granted
    if amount > left:
        raise RuleViolation(
            "team_cap_exceeded",
            _(
                "%(team)s may receive %(left)s yuan more under %(programme)s in %(year)d "
                "(a cap of %(cap)s yuan a year): a voucher of %(amount)s yuan is more than that.",
                team=team.name_zh,
                left=yuan_str(left),
                programme=programme.code,
                year=year,
                cap=yuan_str(programme.team_cap_fen),
                amount=yuan_str(amount),
            ),
            fields={"amount_yuan": [_("More than the team's cap leaves.")]},
            conflict={
                "programme_id": programme.id,
                "team_id": team.id,
                "year": year,
                "cap_yuan": yuan_str(programme.team_cap_fen),
                "granted_yuan": yuan_str(granted),
                "remaining_yuan": yuan_str(left),
            },
        )


@retrying
def grant_voucher(
    *,
    actor: Any,
    programme_id: int,
    team_id: int,
    amount_fen: int,
    valid_from: date | None,
    valid_to: date | None,
    gpu_hours: Any = None,
    provider_ids: list[int] | None = None,
) -> Voucher:
    """Grant a team a voucher under a programme (staff of the programme's park)."""
    values = _clean(amount_fen, valid_from, valid_to, gpu_hours, provider_ids)
    with transaction(actor) as session:
        programme = lock(Programme, programme_id) if is_id(programme_id) else None
        if programme is None:
            raise ValidationFailed({"programme_id": [_("No such programme.")]})
        require_actor(can_grant_vouchers, actor, programme)
        team = _team(session, team_id, programme)
        _within_programme(programme, values["valid_from"], values["valid_to"])
        providers = _providers(programme, values.pop("provider_ids"))
        _eligible(programme, team)
        _check_pool(session, programme, values["amount_fen"])
        _check_cap(session, programme, team, values["amount_fen"], values["valid_from"].year)
        voucher = Voucher(
            programme_id=programme.id,
            team_id=team.id,
            granted_by_id=getattr(actor, "id", None),
            used_fen=0,
            used_hundredths=0,
            **values,
        )
        voucher.programme, voucher.team, voucher.providers = programme, team, providers
        session.add(voucher)
        session.flush()
    return voucher
