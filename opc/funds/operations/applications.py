"""A team's application to a call: drafted by a member, changed while a draft, submitted
within the call's window with every required document attached, withdrawn before a
decision. Every change of state goes through opc.funds.operations.transitions.move, which
writes the history (who, when).

The rules, each checked in the writing transaction:

* the call is of the team's park, and the team is eligible: of one of the call's tracks and
  statuses (none listed: all) — 409 `team_not_eligible` naming why;
* the amount is over zero and at most the call's ceiling (422 naming the ceiling); the
  milestones' amounts add up to at most the amount requested;
* one live application (any state but withdrawn) per team and call: 409
  `application_exists` naming it; the partial unique index of the table holds it when two
  members create at once (the loser's insert fails and is answered the same way);
* the content changes in a draft only (409 `application_frozen`);
* submitting needs the call to have opened (409 `call_not_open`) and not closed, to the
  second (409 `deadline_passed`, the close shown in the park's time), and a file for each
  of the call's required documents (422 naming those missing).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opc.core import constraints
from opc.core.dates import PARK_TZ, format_datetime
from opc.core.db import lock, retrying, transaction, utcnow
from opc.core.errors import NotFound, RuleViolation, ValidationFailed
from opc.core.permissions import require_actor
from opc.core.values import is_id
from opc.extensions import db
from opc.funds.application_models import Application, ApplicationStatus
from opc.funds.labels import application_status_label
from opc.funds.models import Call
from opc.funds.operations.application_content import (
    MAX_PURPOSE,
    Errors,
    check_amounts,
    clean_content,
    text_value,
)
from opc.funds.operations.transitions import move, require_step
from opc.funds.permissions import can_edit_application
from opc.parks.models import Park
from opc.teams.labels import status_label, track_label
from opc.teams.models import Team

LIVE_INDEX = "uq_applications_call_id_team_id_live"


def check_eligible(call: Call, team: Team) -> None:
    """409 `team_not_eligible` unless the team is of the call's tracks and statuses."""
    if call.tracks and team.track not in call.tracks:
        raise RuleViolation(
            "team_not_eligible",
            _(
                "The call is not open to teams of the track %(track)s.",
                track=track_label(team.track),
            ),
            conflict={"call_id": call.id, "team_id": team.id, "tracks": list(call.tracks)},
        )
    if call.team_statuses and team.status not in call.team_statuses:
        raise RuleViolation(
            "team_not_eligible",
            _(
                "The call is open to %(allowed)s teams; %(team)s is %(status)s.",
                allowed=", ".join(status_label(s) for s in call.team_statuses),
                team=team.name_zh,
                status=status_label(team.status),
            ),
            conflict={"call_id": call.id, "team_id": team.id, "statuses": list(call.team_statuses)},
        )


def park_time(call: Call, at: datetime) -> str:
    """An instant of the call for people: to the second, in its park's zone, zone named."""
    zone = park_zone(call)
    return f"{format_datetime(at, zone, seconds=True)} ({zone})" if at else "—"


def park_zone(call: Call) -> str:
    """The timezone of the call's park, in which its window is given and shown."""
    park = db.session.get(Park, call.park_id)
    return park.timezone if park is not None else PARK_TZ


def check_window(call: Call, now: datetime) -> None:
    """409 `call_not_open` before the call opens, `deadline_passed` from its close on."""
    if now < call.opens_at:
        raise RuleViolation(
            "call_not_open",
            _("The call opens at %(at)s.", at=park_time(call, call.opens_at)),
            conflict={"call_id": call.id, "opens_at": call.opens_at.isoformat()},
        )
    if now >= call.closes_at:
        raise RuleViolation(
            "deadline_passed",
            _("The call closed at %(at)s.", at=park_time(call, call.closes_at)),
            conflict={"call_id": call.id, "closes_at": call.closes_at.isoformat()},
        )


def live_application(session: Session, call_id: int, team_id: int) -> Application | None:
    """The team's application to the call that is not withdrawn, if any."""
    stmt = select(Application).where(
        Application.call_id == call_id,
        Application.team_id == team_id,
        Application.status != ApplicationStatus.WITHDRAWN,
    )
    return session.scalars(stmt).first()


def _exists(found: Application) -> RuleViolation:
    return RuleViolation(
        "application_exists",
        _(
            "The team has an application to this call already: “%(title)s” (no. %(id)d, "
            "%(status)s).",
            title=found.title,
            id=found.id,
            status=application_status_label(found.status),
        ),
        conflict={"application_id": found.id, "status": found.status},
    )


@contextmanager
def _one_live(session: Session, call_id: int, team_id: int) -> Iterator[None]:
    """Write in a savepoint: the database's one-live rule becomes `application_exists` (409)
    naming the application that won a race the check before could not see."""
    try:
        with session.begin_nested():
            yield
    except IntegrityError as exc:
        if constraints.constraint_name(exc) != LIVE_INDEX:
            raise
        found = live_application(session, call_id, team_id)
        if found is None:  # withdrawn since: the rule's own words
            raise constraints.rule_for_integrity_error(exc) from exc
        raise _exists(found) from exc


def _call_of(session: Session, call_id: Any) -> Call:
    call = session.get(Call, call_id) if is_id(call_id) else None
    if call is None:
        raise ValidationFailed({"call_id": [_("No such call.")]})
    return call


def _team_for(session: Session, team_id: Any, call: Call) -> Team:
    team = session.get(Team, team_id, populate_existing=True) if is_id(team_id) else None
    if team is None or team.park_id != call.park_id:
        raise ValidationFailed({"team_id": [_("No such team in the call's park.")]})
    return team


@retrying
def create_application(*, actor: Any, call_id: int, team_id: int, **content: Any) -> Application:
    """Draft an application of the team to the call (a member of the team). The call must
    not have closed; drafting before it opens is allowed (submitting is not)."""
    values = clean_content(content)
    with transaction(actor) as session:
        call = _call_of(session, call_id)
        team = _team_for(session, team_id, call)
        require_actor(can_edit_application, actor, team)
        now = utcnow()
        if now >= call.closes_at:
            check_window(call, now)
        check_eligible(call, team)
        check_amounts(call, values["amount_fen"], values["milestones"])
        found = live_application(session, call.id, team.id)
        if found is not None:
            raise _exists(found)
        application = Application(
            call_id=call.id,
            team_id=team.id,
            park_id=call.park_id,
            status=ApplicationStatus.DRAFT,
            created_by_id=getattr(actor, "id", None),
            **values,
        )
        with _one_live(session, call.id, team.id):
            session.add(application)
            session.flush()
    return application


def _locked(application_id: Any, actor: Any) -> Application:
    """The application, locked, when the actor may change it (else Forbidden)."""
    application = lock(Application, application_id) if is_id(application_id) else None
    if application is None:
        raise NotFound("not_found", _("Not found."))
    require_actor(can_edit_application, actor, application)
    return application


def require_draft(application: Application) -> None:
    """409 `application_frozen` once the application left the draft state."""
    if application.frozen:
        raise RuleViolation(
            "application_frozen",
            _(
                "The application is %(status)s: its content can no longer change.",
                status=application_status_label(application.status),
            ),
            conflict={"application_id": application.id, "status": application.status},
        )


@retrying
def update_application(application_id: int, *, actor: Any, **changes: Any) -> Application:
    """Change a draft's content (the fields given; a member of the team)."""
    values = clean_content(changes, partial=True)
    with transaction(actor):
        application = _locked(application_id, actor)
        require_draft(application)
        call = application.call
        check_amounts(
            call,
            values.get("amount_fen", application.amount_fen),
            values.get("milestones", application.milestones or []),
        )
        for key, value in values.items():
            setattr(application, key, value)
    return application


def missing_documents(application: Application) -> list[str]:
    """The call's required documents that no attachment of the application provides."""
    provided = {a.document for a in application.attachments}
    return [d for d in application.call.required_documents or [] if d not in provided]


@retrying
def submit_application(application_id: int, *, actor: Any) -> Application:
    """Submit a draft: within the call's window, eligible, with every required document."""
    with transaction(actor):
        application = _locked(application_id, actor)
        require_step(application, ApplicationStatus.SUBMITTED)
        call = application.call
        now = utcnow()
        check_window(call, now)
        check_eligible(call, application.team)
        check_amounts(call, application.amount_fen, application.milestones or [])
        missing = missing_documents(application)
        if missing:
            message = _("Attach the required documents: %(names)s.", names=", ".join(missing))
            refusal = ValidationFailed({"attachments": [message]}, message)
            refusal.extra = {"missing_documents": missing}
            raise refusal
        move(application, ApplicationStatus.SUBMITTED, actor=actor)
        application.submitted_at = now
    return application


@retrying
def withdraw_application(application_id: int, *, actor: Any, note: str = "") -> Application:
    """Withdraw an application before a decision (a member of the team), with a reason."""
    errors: Errors = {}
    note = text_value(errors, "note", note or "", MAX_PURPOSE, multiline=True)
    if errors:
        raise ValidationFailed(errors)
    with transaction(actor):
        application = _locked(application_id, actor)
        move(application, ApplicationStatus.WITHDRAWN, actor=actor, note=note)
    return application
