"""Checking registrants in at the door: by the QR code's token (scanned or typed) or from
the list (by the registration's id). Staff of the event's park only (`events.manage`).

Check-in opens CHECKIN_OPENS_BEFORE before the event starts and closes when it ends (409
`checkin_closed`): the desk is set up on the day, and a ticket scanned weeks early or after
the event is a mistake to tell, not an attendance to record. Only a confirmed registration
is let in (409 `not_confirmed`: on the waitlist, offered, cancelled or lapsed); a token of
another event is refused (409 `wrong_event`), an unknown, tampered or garbled one too (422
`invalid_ticket`). The first check-in records who and when; a second scan — the same code
twice, or two desks at once — finds it recorded (the registration's row is locked) and
answers `already=True` with the first time, writing nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import gettext as _

from opc.core.db import lock, retrying, transaction, utcnow
from opc.core.errors import NotFound, RuleViolation, ValidationFailed
from opc.core.i18n import locale_code
from opc.core.permissions import require_actor
from opc.core.values import is_id
from opc.events.labels import registration_status_label
from opc.events.models import Event, EventStatus, Registration, RegistrationStatus
from opc.events.permissions import can_manage_events, can_view_event
from opc.events.qr import parse_token, token_fits

CHECKIN_OPENS_BEFORE = timedelta(hours=2)


def invalid_ticket() -> ValidationFailed:
    message = _("This is not a valid ticket: scan or type its code again.")
    err = ValidationFailed({"token": [message]}, message)
    err.code = "invalid_ticket"
    return err


def _which(token: Any, registration_id: Any) -> None:
    """Exactly one of a token and a registration id; well-typed (else 422)."""
    given = [name for name, v in (("token", token), ("registration_id", registration_id)) if v]
    if len(given) != 1:
        message = _("Give the ticket's code or the registration, one of them.")
        raise ValidationFailed({"token": [message]}, message)
    if registration_id is not None and not is_id(registration_id):
        raise ValidationFailed({"registration_id": [_("Not a registration's number.")]})


def _event(session: Any, event_id: Any, actor: Any) -> Event:
    event = session.get(Event, event_id) if is_id(event_id) else None
    if event is None or (actor is not None and not can_view_event(actor, event)):
        raise NotFound("not_found", _("Not found."))
    require_actor(can_manage_events, actor, event)
    return event


def checkin_window(event: Event) -> tuple[Any, Any]:
    """[opens, closes) of the event's check-in."""
    return event.starts_at - CHECKIN_OPENS_BEFORE, event.ends_at


def _check_open(event: Event, now: Any) -> None:
    if event.status == EventStatus.CANCELLED:
        raise RuleViolation(
            "event_cancelled",
            _("The event is cancelled: nobody checks in."),
            conflict={"event_id": event.id},
        )
    opens, closes = checkin_window(event)
    if not opens <= now < closes:
        raise RuleViolation(
            "checkin_closed",
            _(
                "Check-in opens %(hours)d hours before the event starts and closes at its end.",
                hours=int(CHECKIN_OPENS_BEFORE.total_seconds() // 3600),
            ),
            conflict={
                "event_id": event.id,
                "opens_at": opens.isoformat(),
                "closes_at": closes.isoformat(),
            },
        )


def _registration(event: Event, token: Any, registration_id: Any) -> Registration:
    if token:
        parsed = parse_token(token)
        if parsed is None:
            raise invalid_ticket()
        registration = lock(Registration, parsed[0])
        if registration is None or not token_fits(token, registration):
            raise invalid_ticket()
        if registration.event_id != event.id:
            raise RuleViolation(
                "wrong_event",
                _(
                    "This ticket is for another event: %(title)s.",
                    title=registration.event.title(locale_code()),
                ),
                conflict={"registration_id": registration.id, "event_id": registration.event_id},
            )
        return registration
    registration = lock(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        raise NotFound("not_found", _("Not found."))
    return registration


@retrying
def check_in(
    *, actor: Any, event_id: Any, token: Any = None, registration_id: Any = None
) -> tuple[Registration, bool]:
    """Check a confirmed registration in; (the registration, whether it was checked in before)."""
    _which(token, registration_id)
    with transaction(actor) as session:
        event = _event(session, event_id, actor)
        now = utcnow()
        _check_open(event, now)
        registration = _registration(event, token, registration_id)
        if registration.status != RegistrationStatus.CONFIRMED:
            raise RuleViolation(
                "not_confirmed",
                _(
                    "This registration is not confirmed (%(status)s): nobody is let in on it.",
                    status=registration_status_label(registration.status),
                ),
                conflict={"registration_id": registration.id, "status": registration.status},
            )
        if registration.checked_in_at is not None:
            return registration, True
        registration.checked_in_at = now
        registration.checked_in_by_id = getattr(actor, "id", None)
    return registration, False
