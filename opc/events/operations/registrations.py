"""Registering for an event, cancelling, accepting an offered place, and lapsing offers.

Who registers: a member of a team registers themselves (their name and e-mail, their team)
for an event of their park, or for a public event of another; the park's staff register a
guest (any event of theirs); anyone else (actor None: the public page) registers as a guest
for a public event only — a residents-only event is not found (404). A registration is taken
while the window is open (409 `registration_closed`, also for a cancelled event) and the
event is not over (409 `event_past`); one live registration per e-mail and event (409
`already_registered`; the partial unique index is the backstop).

Places: under the event's row lock, a registration takes a free place (confirmed) or joins
the line (waitlisted, `queued_at` now). A freed place — a cancellation, a lapsed offer, a
higher capacity — goes to the next in line (opc.events.operations.places). A guest proves
a registration is theirs with its secret; a member by being its user; staff of the park
act on any. After every change of status the registrant is told (opc.events.notify).
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from opc.auth.operations import normalize_email
from opc.core.dates import format_datetime
from opc.core.db import lock, retrying, transaction, utcnow
from opc.core.errors import NotFound, RuleViolation, ValidationFailed
from opc.core.permissions import Role
from opc.core.values import is_id, text_problem
from opc.events.models import LIVE, Event, EventStatus, Registration, RegistrationStatus
from opc.events.operations import places
from opc.events.permissions import can_manage_events, can_register
from opc.extensions import db
from opc.teams.models import Team

S = RegistrationStatus
Errors = dict[str, list[str]]
MAX_NAME = 100
MAX_ORGANISATION = 200
MAX_PHONE = 40


def _text(errors: Errors, key: str, value: Any, limit: int) -> str:
    if not isinstance(value, str):
        errors[key] = [_("Must be text.")]
        return ""
    value = value.strip()
    if problem := text_problem(value):
        errors[key] = [problem]
    elif len(value) > limit:
        errors[key] = [_("At most %(n)d characters.", n=limit)]
    return value


def _not_found() -> NotFound:
    return NotFound("not_found", _("Not found."))


def _locked_event(event_id: Any) -> Event:
    event = lock(Event, event_id) if is_id(event_id) else None
    if event is None:
        raise _not_found()
    return event


def _check_open(event: Event, now: datetime) -> None:
    if now >= event.ends_at:
        raise places.event_past(event)
    if not event.registration_open(now):
        message = (
            _("The event is cancelled.")
            if event.status == EventStatus.CANCELLED
            else _("Registration is not open.")
        )
        raise RuleViolation(
            "registration_closed",
            message,
            conflict={
                "event_id": event.id,
                "status": event.status,
                "registration_opens_at": event.registration_opens_at.isoformat(),
                "registration_closes_at": event.registration_closes_at.isoformat(),
            },
        )


def _registrant(
    session: Any, event: Event, actor: Any, given: dict[str, Any], team_id: Any
) -> dict[str, Any]:
    """Who registers and as whom: the values of the registration's people columns."""
    is_member = actor is not None and actor.role == Role.MEMBER and actor.team_id is not None
    if is_member:
        if not (can_register(actor, event) or event.public):
            raise _not_found()
        if team_id is not None and team_id != actor.team_id:
            raise ValidationFailed({"team_id": [_("A member registers for their own team.")]})
        team = session.get(Team, actor.team_id)
        return {
            "user_id": actor.id,
            "team_id": actor.team_id,
            "name": (actor.name or actor.email.split("@")[0])[:MAX_NAME],
            "email": actor.email.lower(),
            "organisation": given["organisation"] or (team.name_zh if team else ""),
        }
    staff = actor is not None and can_manage_events(actor, event)
    if not staff and not event.public:
        raise _not_found()  # residents only: outsiders do not see it
    errors: Errors = {}
    if not given["name"]:
        errors["name"] = [_("This field is required.")]
    email = ""
    try:
        email = normalize_email(given["email"])
    except ValidationFailed as exc:
        errors.update(exc.fields)
    team = None
    if team_id is not None:
        team = session.get(Team, team_id) if staff and is_id(team_id) else None
        if team is None or team.park_id != event.park_id:
            errors["team_id"] = [_("Not a team of the park.")]
    if errors:
        raise ValidationFailed(errors)
    return {
        "user_id": None,
        "team_id": team.id if team else None,
        "name": given["name"],
        "email": email,
        "organisation": given["organisation"],
    }


@retrying
def register(
    event_id: Any,
    *,
    actor: Any = None,
    name: Any = "",
    email: Any = "",
    organisation: Any = "",
    phone: Any = "",
    team_id: Any = None,
) -> Registration:
    """Register for the event: confirmed while a place is left, else waitlisted."""
    errors: Errors = {}
    given = {
        "name": _text(errors, "name", name, MAX_NAME),
        "email": _text(errors, "email", email, 254),
        "organisation": _text(errors, "organisation", organisation, MAX_ORGANISATION),
        "phone": _text(errors, "phone", phone, MAX_PHONE),
    }
    if errors:
        raise ValidationFailed(errors)
    with transaction(actor) as session:
        event = _locked_event(event_id)
        who = _registrant(session, event, actor, given, team_id)
        now = utcnow()
        _check_open(event, now)
        taken = session.scalars(
            select(Registration.id).where(
                Registration.event_id == event.id,
                Registration.email == who["email"],
                Registration.status.in_(LIVE),
            )
        ).first()
        if taken is not None:
            raise RuleViolation(
                "already_registered",
                _("This e-mail address is registered for the event already."),
                conflict={"event_id": event.id, "email": who["email"]},
            )
        # Offers past their deadline pass on first: those in line before this one come first.
        places.lapse_expired(session, event, now)
        registration = Registration(
            event_id=event.id,
            phone=given["phone"],
            status=S.WAITLISTED,
            queued_at=now,
            secret=secrets.token_urlsafe(32),
            created_at=now,
            **who,
        )
        session.add(registration)
        if event.places_left > 0:
            places.confirm(event, registration, now)
        places.changed(session, registration)
    return registration


def _locked_registration(registration_id: Any, actor: Any, secret: Any) -> Registration:
    """The registration, its event's row locked first (the order every writer keeps): 404
    unless the secret is its own, the actor registered it, or the actor is the park's staff."""
    found = db.session.get(Registration, registration_id) if is_id(registration_id) else None
    if found is None:
        raise _not_found()
    _locked_event(found.event_id)
    registration = lock(Registration, found.id)
    if registration is None:
        raise _not_found()
    by_secret = isinstance(secret, str) and hmac.compare_digest(
        secret.encode(), registration.secret.encode()
    )
    own = (
        actor is not None and registration.user_id is not None and registration.user_id == actor.id
    )
    staff = actor is not None and can_manage_events(actor, registration.event)
    if not (by_secret or own or staff):
        raise _not_found()
    return registration


def _ended(registration: Registration) -> RuleViolation:
    return RuleViolation(
        "registration_ended",
        _("The registration is cancelled or its offer lapsed already."),
        conflict={"registration_id": registration.id, "status": registration.status},
    )


@retrying
def cancel_registration(
    registration_id: Any, *, actor: Any = None, secret: Any = None
) -> Registration:
    """Cancel a live registration before the event is over; a place it held goes to the
    next in line."""
    with transaction(actor) as session:
        registration = _locked_registration(registration_id, actor, secret)
        event = registration.event
        if registration.status not in LIVE:
            raise _ended(registration)
        now = utcnow()
        if now >= event.ends_at:
            raise places.event_past(event)
        held = places.release(registration, S.CANCELLED, now)
        places.changed(session, registration)
        if held:
            places.fill(session, event, now)
    return registration


@retrying
def accept_offer(registration_id: Any, *, actor: Any = None, secret: Any = None) -> Registration:
    """Take the place offered: confirmed, unless the deadline passed (409 `offer_expired`)."""
    with transaction(actor) as session:
        registration = _locked_registration(registration_id, actor, secret)
        event = registration.event
        if registration.status != S.OFFERED:
            raise RuleViolation(
                "no_offer",
                _("No place is offered to this registration."),
                conflict={"registration_id": registration.id, "status": registration.status},
            )
        now = utcnow()
        deadline = registration.offer_expires_at
        if deadline is not None and now >= deadline:
            raise RuleViolation(
                "offer_expired",
                _("The offer lapsed at %(at)s.", at=format_datetime(deadline, event.park.timezone)),
                conflict={
                    "registration_id": registration.id,
                    "offer_expires_at": deadline.isoformat(),
                },
            )
        if now >= event.ends_at:
            raise places.event_past(event)
        event.offered_count -= 1
        places.confirm(event, registration, now)
        places.changed(session, registration)
    return registration


@retrying
def _lapse_event(event_id: int, now: datetime) -> int:
    with transaction() as session:
        event = lock(Event, event_id)
        return places.lapse_expired(session, event, now) if event is not None else 0


def lapse_offers(now: datetime | None = None) -> int:
    """Every offer whose deadline passed lapses and its place goes to the next in line, one
    transaction per event (its row locked); how many lapsed."""
    now = now or utcnow()
    with transaction() as session:
        event_ids = list(
            session.scalars(
                select(Registration.event_id)
                .where(Registration.status == S.OFFERED, Registration.offer_expires_at <= now)
                .distinct()
                .order_by(Registration.event_id)
            )
        )
    return sum(_lapse_event(event_id, now) for event_id in event_ids)
