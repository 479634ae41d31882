"""Staff of a park create, change and cancel its events (`events.manage`).

Every refusal is specific and writes nothing: a title, a known kind, an end after the
start, a registration window that closes after it opens and no later than the event ends,
a capacity of 1 … MAX_CAPACITY (422 each); a venue that is a room of the park — held through
a booking of the event's own (opc.rooms.operations.venues: 409 `room_taken` naming the
booking in the way) — or an outside place, not both (422). Moving the event moves its
booking. A capacity below the places taken (confirmed plus offered) is 409
`capacity_below_confirmed`, naming them; a higher capacity serves the waitlist at once.

Cancelling an event frees its room and cancels every live registration with it (status
`cancelled`, the counts back to zero): a cancelled event holds no places and keeps no line,
its tickets no longer check anyone in, and each registrant is told (opc.events.notify sees
`registration.event.status == "cancelled"`, and gives them the reason, which the event has
no column for: it is in the transaction's `session.info` while the registrations change).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from opc.core.dates import date_problem
from opc.core.db import lock, retrying, transaction, utcnow
from opc.core.errors import NotFound, RuleViolation, ValidationFailed
from opc.core.permissions import require_actor
from opc.core.values import is_id, text_problem, whole_number
from opc.events.models import (
    LIVE,
    MAX_CAPACITY,
    MAX_TEXT,
    MAX_TITLE,
    Event,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
    WaitlistMode,
)
from opc.events.notify import CANCEL_REASON
from opc.events.operations import places
from opc.events.permissions import can_manage_events, can_view_event
from opc.parks.models import Park
from opc.rooms.operations.venues import hold_for_event, release_for_event

Errors = dict[str, list[str]]
MAX_VENUE_TEXT = 300
MAX_OFFER_HOURS = 720
TEXTS = {
    "title_zh": MAX_TITLE,
    "title_en": MAX_TITLE,
    "description_zh": MAX_TEXT,
    "description_en": MAX_TEXT,
    "venue_text": MAX_VENUE_TEXT,
}
MULTILINE = frozenset({"description_zh", "description_en"})
INSTANTS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
CHANGEABLE = frozenset(
    {*TEXTS, *INSTANTS, "kind", "venue_unit_id", "capacity", "public", "waitlist_mode"}
    | {"offer_hours"}
)
# What the event's booking follows: a change of one of these moves (or frees) the room.
BOOKED = frozenset({"venue_unit_id", "starts_at", "ends_at", "title_zh"})


def _text(errors: Errors, key: str, value: Any) -> str:
    if not isinstance(value, str):
        errors[key] = [_("Must be text.")]
        return ""
    value = value.strip()
    if problem := text_problem(value, multiline=key in MULTILINE):
        errors[key] = [problem]
    elif len(value) > TEXTS[key]:
        errors[key] = [_("At most %(n)d characters.", n=TEXTS[key])]
    return value


def _instant(errors: Errors, key: str, value: Any) -> datetime | None:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        errors[key] = [_("Must be a date and time with its offset, e.g. 2026-03-01T09:30+08:00.")]
    elif problem := date_problem(value.astimezone(UTC).date()):
        errors[key] = [problem]
    else:
        return value.astimezone(UTC)
    return None


def _number(errors: Errors, key: str, value: Any, high: int) -> int:
    try:
        return whole_number(value, 1, high)
    except ValueError as exc:
        errors[key] = [str(exc)]
        return 0


def clean(values: dict[str, Any]) -> dict[str, Any]:
    """The given values checked one by one (ValidationFailed naming every bad one); how
    they fit together is `check_terms`'s."""
    errors: Errors = {}
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in TEXTS:
            out[key] = _text(errors, key, value)
        elif key in INSTANTS:
            out[key] = _instant(errors, key, value)
        elif key == "kind":
            if value not in {k.value for k in EventKind}:
                known = ", ".join(k.value for k in EventKind)
                errors[key] = [_("Unknown kind. Known: %(known)s.", known=known)]
            out[key] = str(value)
        elif key == "waitlist_mode":
            if value not in {m.value for m in WaitlistMode}:
                errors[key] = [_("Unknown waitlist mode. Known: auto, offer.")]
            out[key] = str(value)
        elif key == "capacity":
            out[key] = _number(errors, key, value, MAX_CAPACITY)
        elif key == "offer_hours":
            out[key] = _number(errors, key, value, MAX_OFFER_HOURS)
        elif key == "public":
            if not isinstance(value, bool):
                errors[key] = [_("Must be true or false.")]
            out[key] = bool(value)
        elif key == "venue_unit_id":
            if value is not None and not is_id(value):
                errors[key] = [_("Not a room of the park.")]
            out[key] = value
        else:
            errors[key] = [_("Unknown field.")]
    if "title_zh" in out and not out["title_zh"] and "title_zh" not in errors:
        errors["title_zh"] = [_("This field is required.")]
    if errors:
        raise ValidationFailed(errors)
    return out


def check_terms(event: Event) -> None:
    """422 unless the event's values, as they will be, fit together."""
    errors: Errors = {}
    if event.ends_at <= event.starts_at:
        errors["ends_at"] = [_("The end must be after the start.")]
    if event.registration_closes_at <= event.registration_opens_at:
        errors["registration_closes_at"] = [_("Registration closes after it opens.")]
    elif event.registration_closes_at > event.ends_at:
        errors["registration_closes_at"] = [_("Registration closes by the end of the event.")]
    if event.venue_unit_id is not None and event.venue_text:
        errors["venue_text"] = [
            _("An event takes place in a room of the park or at an outside place, not both.")
        ]
    if errors:
        raise ValidationFailed(errors)


def _locked(event_id: Any, actor: Any) -> Event:
    """The event, its row locked: 404 when missing or not visible, 403 when not staff's."""
    event = lock(Event, event_id) if is_id(event_id) else None
    if event is None or (actor is not None and not can_view_event(actor, event)):
        raise NotFound("not_found", _("Not found."))
    require_actor(can_manage_events, actor, event)
    return event


def _not_cancelled(event: Event) -> None:
    if event.status == EventStatus.CANCELLED:
        raise RuleViolation(
            "event_cancelled",
            _("The event is cancelled."),
            conflict={"event_id": event.id, "status": event.status},
        )


@retrying
def create_event(
    *,
    actor: Any,
    park_id: Any,
    kind: Any,
    title_zh: Any,
    title_en: Any = "",
    description_zh: Any = "",
    description_en: Any = "",
    venue_unit_id: Any = None,
    venue_text: Any = "",
    starts_at: Any,
    ends_at: Any,
    capacity: Any,
    registration_opens_at: Any = None,
    registration_closes_at: Any = None,
    public: Any = True,
    waitlist_mode: Any = "auto",
    offer_hours: Any = 24,
) -> Event:
    """A scheduled event of the park; registration opens now and closes at the start unless
    given. Holds its room when it has one (409 `room_taken`)."""
    now = utcnow()
    given = {
        "kind": kind,
        "title_zh": title_zh,
        "title_en": title_en,
        "description_zh": description_zh,
        "description_en": description_en,
        "venue_unit_id": venue_unit_id,
        "venue_text": venue_text,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "capacity": capacity,
        "public": public,
        "waitlist_mode": waitlist_mode,
        "offer_hours": offer_hours,
    }
    if registration_opens_at is not None:
        given["registration_opens_at"] = registration_opens_at
    if registration_closes_at is not None:
        given["registration_closes_at"] = registration_closes_at
    values = clean(given)
    values.setdefault("registration_opens_at", now.replace(microsecond=0))
    values.setdefault("registration_closes_at", values["starts_at"])
    with transaction(actor) as session:
        park = session.get(Park, park_id) if is_id(park_id) else None
        if park is None:
            raise ValidationFailed({"park_id": [_("No such park.")]})
        require_actor(can_manage_events, actor, park)
        event = Event(
            park_id=park.id,
            status=EventStatus.SCHEDULED,
            confirmed_count=0,
            offered_count=0,
            created_by_id=getattr(actor, "id", None),
            created_at=now,
            **values,
        )
        check_terms(event)
        session.add(event)
        session.flush()
        hold_for_event(session, event, park, actor=actor)
    return event


@retrying
def update_event(event_id: Any, *, actor: Any, **changes: Any) -> Event:
    """Change a scheduled event (staff of its park): any of the values create_event takes
    but the park. A capacity below the places taken is 409 `capacity_below_confirmed`; a
    higher one serves the waitlist; a new time or room moves the booking."""
    values = clean(changes)
    with transaction(actor) as session:
        event = _locked(event_id, actor)
        _not_cancelled(event)
        taken = event.confirmed_count + event.offered_count
        if "capacity" in values and values["capacity"] < taken:
            raise RuleViolation(
                "capacity_below_confirmed",
                _(
                    "%(n)d places are taken (confirmed or offered): the capacity cannot be lower.",
                    n=taken,
                ),
                conflict={
                    "event_id": event.id,
                    "confirmed_count": event.confirmed_count,
                    "offered_count": event.offered_count,
                },
            )
        moved = {k for k, v in values.items() if getattr(event, k) != v} & BOOKED
        for key, value in values.items():
            setattr(event, key, value)
        check_terms(event)
        session.flush()
        if moved:
            hold_for_event(session, event, event.park, actor=actor)
        places.fill(session, event, utcnow())
    return event


@retrying
def cancel_event(event_id: Any, *, actor: Any, reason: Any = "") -> Event:
    """Cancel a scheduled event that is not over (staff of its park): the room is freed and
    every live registration is cancelled, each registrant told."""
    errors: Errors = {}
    if not isinstance(reason, str):
        errors["reason"] = [_("Must be text.")]
    elif problem := text_problem(reason.strip(), multiline=True):
        errors["reason"] = [problem]
    elif len(reason.strip()) > MAX_TEXT:
        errors["reason"] = [_("At most %(n)d characters.", n=MAX_TEXT)]
    if errors:
        raise ValidationFailed(errors)
    with transaction(actor) as session:
        event = _locked(event_id, actor)
        _not_cancelled(event)
        now = utcnow()
        if now >= event.ends_at:
            raise places.event_past(event)
        event.status = EventStatus.CANCELLED
        release_for_event(session, event.id, actor=actor)
        live = session.scalars(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.status.in_(LIVE))
            .order_by(Registration.id)
        )
        session.info[CANCEL_REASON] = reason.strip()
        try:
            for registration in list(live):
                places.release(registration, RegistrationStatus.CANCELLED, now)
                places.changed(session, registration)
        finally:
            session.info.pop(CANCEL_REASON, None)
    return event
