"""Waivers: staff grant a team a policy's schedule or a one-off waiver; proposed, then
approved by staff of the park (by another person when the park's settings ask).

Every write locks the team's row first and only then reads the waivers it checks, so two
approvals that together would waive more than the rent cannot both pass.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from opc.core.dates import check_dates, format_day
from opc.core.db import lock, retrying, transaction, utcnow
from opc.core.errors import NotFound, RuleViolation, ValidationFailed
from opc.core.money import MAX_FEN
from opc.core.permissions import require_actor
from opc.core.values import is_id, text_problem
from opc.parks.settings import value_of
from opc.rent.models import Policy, Waiver, WaiverStatus
from opc.rent.operations.policies import clean_percent
from opc.rent.permissions import can_manage_waivers
from opc.rent.rules import approved_waivers, check_stacking
from opc.rent.settings import FOUR_EYES
from opc.teams.labels import status_label, track_label
from opc.teams.models import Team
from opc.teams.rules import move_in_dates

MAX_REASON = 1000


def _clean(
    percent: Any, amount_fen: Any, start: Any, end: Any, reason: Any, policy_id: Any
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {"percent": None, "amount_fen": None}
    if percent is not None and amount_fen is not None:
        errors["percent"] = [_("Give a percentage or an amount, not both.")]
    elif percent is not None:
        try:
            out["percent"] = clean_percent(percent)
        except ValueError as exc:
            errors["percent"] = [str(exc)]
    elif amount_fen is not None:
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
            errors["amount_yuan"] = [_("Must be an amount in yuan, e.g. 80.00.")]
        elif not 0 < amount_fen <= MAX_FEN:
            errors["amount_yuan"] = [_("Must be greater than zero.")]
        else:
            out["amount_fen"] = amount_fen
    elif policy_id is None:
        errors["percent"] = [_("Give a percentage, an amount, or a policy to grant.")]
    if start is not None and not isinstance(start, date):
        errors["start"] = [_("Not a date.")]
    if end is not None and not isinstance(end, date):
        errors["end"] = [_("Not a date.")]
    if isinstance(start, date) and isinstance(end, date) and end <= start:
        errors["end"] = [_("The end must be after the start (%(d)s).", d=format_day(start))]
    if start is None and (percent is not None or amount_fen is not None):
        errors["start"] = [_("A start date is required.")]
    reason = reason or ""
    if not isinstance(reason, str):
        errors["reason"] = [_("Must be text.")]
    elif problem := text_problem(reason.strip(), multiline=True):
        errors["reason"] = [problem]
    elif len(reason.strip()) > MAX_REASON:
        errors["reason"] = [_("At most %(n)d characters.", n=MAX_REASON)]
    elif policy_id is None and not reason.strip():
        errors["reason"] = [_("Cite a policy or give a reason.")]
    if policy_id is not None and not is_id(policy_id):
        errors["policy_id"] = [_("No such policy.")]
    if errors:
        raise ValidationFailed(errors)
    check_dates(start=start, end=end)
    out.update(start=start, end=end, reason=reason.strip())
    return out


def _locked_team(session: Session, team_id: Any) -> Team:
    team = lock(Team, team_id) if is_id(team_id) else None
    if team is None:
        raise ValidationFailed({"team_id": [_("No such team.")]})
    return team


def _policy(session: Session, policy_id: int, team: Team, *, grant: bool) -> Policy:
    policy = session.get(Policy, policy_id)
    if policy is None or policy.park_id != team.park_id:
        raise ValidationFailed({"policy_id": [_("No such policy in the team's park.")]})
    if grant and policy.tracks and team.track not in policy.tracks:
        raise RuleViolation(
            "policy_not_eligible",
            _(
                "%(policy)s is not for teams of the track %(track)s.",
                policy=policy.code,
                track=track_label(team.track),
            ),
            conflict={"policy_id": policy.id, "tracks": policy.tracks, "track": team.track},
        )
    if grant and policy.kinds and team.kind not in policy.kinds:
        raise RuleViolation(
            "policy_not_eligible",
            _("%(policy)s is not for teams of this kind.", policy=policy.code),
            conflict={"policy_id": policy.id, "kinds": policy.kinds, "kind": team.kind},
        )
    return policy


def _move_in(session: Session, team: Team, *, required: bool) -> date | None:
    move_in = move_in_dates(session, [team.id]).get(team.id)
    if move_in is None and required:
        raise RuleViolation(
            "team_not_resident",
            _(
                "%(team)s is %(status)s and has not moved in: a policy's schedule counts "
                "from move-in.",
                team=team.name_zh,
                status=status_label(team.status),
            ),
            conflict={"team_id": team.id, "status": team.status},
        )
    return move_in


@retrying
def propose_waiver(
    *,
    actor: Any,
    team_id: int,
    percent: Any = None,
    amount_fen: Any = None,
    start: date | None = None,
    end: date | None = None,
    policy_id: int | None = None,
    reason: str = "",
) -> Waiver:
    """Propose a waiver for a team: its policy's schedule (no percent, no amount; start
    defaults to the team's move-in), or a percentage or fixed amount per month."""
    values = _clean(percent, amount_fen, start, end, reason, policy_id)
    grant = values["percent"] is None and values["amount_fen"] is None
    with transaction(actor) as session:
        team = _locked_team(session, team_id)
        require_actor(can_manage_waivers, actor, team)
        policy = _policy(session, policy_id, team, grant=grant) if policy_id else None
        move_in = _move_in(session, team, required=grant)
        if values["start"] is None:
            values["start"] = move_in
            if values["end"] is not None and values["end"] <= move_in:
                raise ValidationFailed(
                    {"end": [_("The end must be after the start (%(d)s).", d=move_in)]}
                )
        waiver = Waiver(
            team_id=team.id,
            policy_id=policy.id if policy else None,
            status=WaiverStatus.PROPOSED,
            proposed_by_id=getattr(actor, "id", None),
            **values,
        )
        waiver.team, waiver.policy = team, policy
        check_stacking(session, waiver, move_in, approved_waivers(session, team.id))
        session.add(waiver)
        session.flush()
    return waiver


def _locked_waiver(session: Session, waiver_id: int) -> tuple[Waiver, Team]:
    waiver = session.get(Waiver, waiver_id)
    if waiver is None:
        raise NotFound("not_found", _("Not found."))
    team = _locked_team(session, waiver.team_id)
    session.refresh(waiver)
    return waiver, team


def _decidable(waiver: Waiver, to: str) -> None:
    if waiver.status != WaiverStatus.PROPOSED:
        raise RuleViolation(
            "invalid_transition",
            _("The waiver is %(status)s already.", status=waiver.status),
            conflict={"waiver_id": waiver.id, "status": waiver.status, "to": to},
        )


@retrying
def approve_waiver(waiver: Waiver, *, actor: Any) -> Waiver:
    """Approve a proposed waiver; it reduces rent from then on (corrections of issued months
    land on the next statement). Four eyes when the park asks; stacking checked again."""
    with transaction(actor) as session:
        waiver, team = _locked_waiver(session, waiver.id)
        require_actor(can_manage_waivers, actor, team)
        _decidable(waiver, WaiverStatus.APPROVED)
        four_eyes = value_of(team.park_id, FOUR_EYES.key)
        if four_eyes and actor is not None and waiver.proposed_by_id == actor.id:
            raise RuleViolation(
                "same_person",
                _("The park asks for four eyes: another person must approve this waiver."),
                conflict={"waiver_id": waiver.id, "proposed_by_id": waiver.proposed_by_id},
            )
        move_in = _move_in(session, team, required=waiver.kind == "policy")
        check_stacking(session, waiver, move_in, approved_waivers(session, team.id, waiver.id))
        waiver.status = WaiverStatus.APPROVED
        waiver.decided_by_id = getattr(actor, "id", None)
        waiver.decided_at = utcnow()
        session.flush()
    return waiver


@retrying
def reject_waiver(waiver: Waiver, *, actor: Any) -> Waiver:
    """Reject a proposed waiver (it never reduces rent)."""
    with transaction(actor) as session:
        waiver, team = _locked_waiver(session, waiver.id)
        require_actor(can_manage_waivers, actor, team)
        _decidable(waiver, WaiverStatus.REJECTED)
        waiver.status = WaiverStatus.REJECTED
        waiver.decided_by_id = getattr(actor, "id", None)
        waiver.decided_at = utcnow()
        session.flush()
    return waiver


def percent_text(value: Decimal | None) -> str | None:
    """A percentage as the API writes it: "50", "12.5"."""
    return None if value is None else f"{value.normalize():f}"
