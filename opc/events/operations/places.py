"""The places of an event, kept under the event's row lock: who holds one, who waits, and
who is next when one frees up.

Every change of a registration's status happens with the event's row locked
(`opc.core.db.lock(Event, id)`), so the counts on the event (`confirmed_count`,
`offered_count`) and the line are read and written by one writer at a time; the database's
check (`confirmed_count + offered_count <= capacity`) is the backstop. The line is the
waitlisted registrations by `queued_at`, then id: who joined first is served first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from opc.core.errors import RuleViolation
from opc.events import notify
from opc.events.models import Event, Registration, RegistrationStatus, WaitlistMode

S = RegistrationStatus


def event_past(event: Event) -> RuleViolation:
    return RuleViolation(
        "event_past",
        _("The event is over."),
        conflict={"event_id": event.id, "ends_at": event.ends_at.isoformat()},
    )


def offer_deadline(event: Event, now: datetime) -> datetime:
    """When an offer made now lapses: `offer_hours` from now, but no later than the event's
    start while it is ahead (an offer to accept after the doors open helps nobody)."""
    deadline = now + timedelta(hours=event.offer_hours)
    return min(deadline, event.starts_at) if event.starts_at > now else deadline


def changed(session: Session, registration: Registration) -> None:
    """Tell the registrant (opc.events.notify), inside the transaction."""
    session.flush()
    notify.registration_changed(session, registration)


def confirm(event: Event, registration: Registration, now: datetime) -> None:
    """The registration takes a free place of its event (the caller checked one is left)."""
    event.confirmed_count += 1
    registration.status = S.CONFIRMED
    registration.confirmed_at = now


def next_in_line(session: Session, event: Event) -> Registration | None:
    stmt = (
        select(Registration)
        .where(Registration.event_id == event.id, Registration.status == S.WAITLISTED)
        .order_by(Registration.queued_at, Registration.id)
        .limit(1)
    )
    return session.scalars(stmt).first()


def fill(session: Session, event: Event, now: datetime) -> list[Registration]:
    """Give the event's free places to the line, in order: confirmed at once (waitlist mode
    auto) or offered until a deadline (offer). Nothing once the event is over or cancelled.
    The registrations served, each told."""
    served: list[Registration] = []
    if event.status != "scheduled" or now >= event.ends_at:
        return served
    while event.places_left > 0:
        registration = next_in_line(session, event)
        if registration is None:
            break
        if event.waitlist_mode == WaitlistMode.OFFER:
            event.offered_count += 1
            registration.status = S.OFFERED
            registration.offer_expires_at = offer_deadline(event, now)
        else:
            confirm(event, registration, now)
        changed(session, registration)
        served.append(registration)
    return served


def release(registration: Registration, to: str, now: datetime) -> bool:
    """The registration leaves its place or the line (cancelled or lapsed); whether it held
    a place (which the line may now take)."""
    event = registration.event
    held = registration.status in (S.CONFIRMED, S.OFFERED)
    if registration.status == S.CONFIRMED:
        event.confirmed_count -= 1
    elif registration.status == S.OFFERED:
        event.offered_count -= 1
    registration.status = to
    if to == S.CANCELLED:
        registration.cancelled_at = now
    return held


def lapse_expired(session: Session, event: Event, now: datetime) -> int:
    """Offers of the event whose deadline passed lapse, and their places go to the line;
    how many lapsed."""
    stmt = (
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == S.OFFERED,
            Registration.offer_expires_at <= now,
        )
        .order_by(Registration.offer_expires_at, Registration.id)
    )
    lapsed = list(session.scalars(stmt))
    for registration in lapsed:
        release(registration, S.LAPSED, now)
        changed(session, registration)
    if lapsed:
        fill(session, event, now)
    return len(lapsed)
