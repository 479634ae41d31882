"""What registrants hear when their registration changes: the confirmation (with the
ticket's link, its QR code and the event's .ics attached), the waitlist notice with their
place in line, the offer of a freed place with its deadline, the lapse of an offer, the
cancellation (theirs, or the event's).

Every registrant is mailed at the address they registered with (opc.events.mails: after
the commit). Members also get an in-app notification; it is marked mailed at once, as the
registration's own mail told them already. Language: a member's own (their account's
choice, else the deployment's default); a guest's is not known (the registration keeps
none), so a guest's mail says it in Chinese first and in English below.

`registration_changed` is called by opc.events.operations inside the transaction, after
every change of a registration's status.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from opc import notifications
from opc.core.dates import format_datetime, format_time, to_local
from opc.core.db import utcnow
from opc.core.links import external_url, has_external_url
from opc.core.zones import zone_label
from opc.events import calendars, qr
from opc.events.mails import Outgoing, queue, wanted
from opc.events.models import EventStatus, Registration, RegistrationStatus
from opc.notifications import local, path_for, sentences

Params = dict[str, Any]
CONFIRMED = "event.confirmed"
WAITLISTED = "event.waitlisted"
OFFERED = "event.offered"
LAPSED = "event.lapsed"
CANCELLED = "event.registration_cancelled"
EVENT_CANCELLED = "event.cancelled"
CANCEL_REASON = "event_cancel_reason"  # the key of the reason in the session's info


def _when(p: Params) -> str:
    tz = p["tz"]
    start = datetime.fromisoformat(p["starts_at"])
    end = datetime.fromisoformat(p["ends_at"])
    same_day = to_local(start, tz).date() == to_local(end, tz).date()  # type: ignore[union-attr]
    until = format_time(end, tz) if same_day else format_datetime(end, tz)
    return _(
        "%(start)s–%(end)s (%(zone)s)",
        start=format_datetime(start, tz),
        end=until,
        zone=zone_label(tz),
    )


def _deadline(p: Params) -> str:
    return format_datetime(datetime.fromisoformat(p["deadline"]), p["tz"])


def _details(p: Params) -> str:
    lines = [_("When: %(when)s", when=_when(p))]
    if local(p["place"]):
        lines.append(_("Where: %(place)s", place=local(p["place"])))
    return "\n".join(lines)


TITLES: dict[str, Callable[[Params], str]] = {
    CONFIRMED: lambda p: _("Registration confirmed: %(title)s", title=local(p["event"])),
    WAITLISTED: lambda p: _("On the waitlist: %(title)s", title=local(p["event"])),
    OFFERED: lambda p: _("A place is yours if you accept it: %(title)s", title=local(p["event"])),
    LAPSED: lambda p: _("Offer lapsed: %(title)s", title=local(p["event"])),
    CANCELLED: lambda p: _("Registration cancelled: %(title)s", title=local(p["event"])),
    EVENT_CANCELLED: lambda p: _("Event cancelled: %(title)s", title=local(p["event"])),
}

BODIES: dict[str, Callable[[Params], str]] = {
    CONFIRMED: lambda p: sentences(
        _("Your place is confirmed."), _("Show your ticket's QR code at the door.")
    ),
    WAITLISTED: lambda p: sentences(
        _("The event is full: you are number %(n)d on the waitlist.", n=p["position"]),
        _("When a place frees up, the next in line is confirmed at once.")
        if p["mode"] == "auto"
        else _("When a place frees up, the next in line is offered it, with a deadline."),
    ),
    OFFERED: lambda p: _(
        "A place has freed up. It is yours if you accept it by %(deadline)s.",
        deadline=_deadline(p),
    ),
    LAPSED: lambda p: _(
        "The place offered to you was not accepted by %(deadline)s and passed to the next in line.",
        deadline=_deadline(p),
    ),
    CANCELLED: lambda p: _("Your registration is cancelled."),
    EVENT_CANCELLED: lambda p: sentences(
        _("The event is cancelled. We are sorry."),
        _("Reason: %(reason)s", reason=p["reason"]) if p.get("reason") else "",
    ),
}


def _link(p: Params) -> str | None:
    try:
        return path_for("events.detail", event_id=p["event_id"])
    except BuildError:
        return None


def register_kinds() -> None:
    """The in-app notifications of registrations (called from init_app)."""
    for name, title in TITLES.items():
        body = BODIES[name]
        notifications.kind(
            name, title=title, body=lambda p, body=body: f"{body(p)}\n{_details(p)}", link=_link
        )


def kind_of(registration: Registration) -> str | None:
    """The message for the registration's status (None: nothing to tell)."""
    if registration.status == RegistrationStatus.CANCELLED:
        cancelled = registration.event.status == EventStatus.CANCELLED
        return EVENT_CANCELLED if cancelled else CANCELLED
    return {
        RegistrationStatus.CONFIRMED: CONFIRMED,
        RegistrationStatus.WAITLISTED: WAITLISTED,
        RegistrationStatus.OFFERED: OFFERED,
        RegistrationStatus.LAPSED: LAPSED,
    }.get(RegistrationStatus(registration.status))


def waitlist_position(session: Session, registration: Registration) -> int:
    """The registration's place in the waitlist's line (by queued_at, then id)."""
    ahead = session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            or_(
                Registration.queued_at < registration.queued_at,
                (Registration.queued_at == registration.queued_at)
                & (Registration.id < registration.id),
            ),
        )
    )
    return int(ahead or 0) + 1


def params(session: Session, registration: Registration) -> Params:
    """What the messages say, as it stands at the change (JSON)."""
    event = registration.event
    deadline = registration.offer_expires_at
    return {
        "registration_id": registration.id,
        "event_id": event.id,
        "park_id": event.park_id,
        "event": {"zh": event.title_zh, "en": event.title_en},
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "tz": event.park.timezone,
        "place": {
            "zh": calendars.location(event, "zh"),
            "en": calendars.location(event, "en"),
        },
        "mode": event.waitlist_mode,
        "position": (
            waitlist_position(session, registration)
            if registration.status == RegistrationStatus.WAITLISTED
            else None
        ),
        "deadline": deadline.isoformat() if deadline else None,
        # Staff's reason for cancelling the event (opc.events.operations.events.cancel_event).
        "reason": session.info.get(CANCEL_REASON, ""),
    }


def ticket_url(registration: Registration) -> str | None:
    """The registrant's page (status, QR code, cancel or accept), as a full address."""
    if not has_external_url():
        return None
    try:
        return external_url("events.ticket", secret=registration.secret)
    except BuildError:
        return None


def _text(kind: str, p: Params, registration: Registration) -> tuple[str, str]:
    """Subject and text in the current language."""
    parts = [
        _("Dear %(name)s,", name=registration.name),
        BODIES[kind](p),
        f"{local(p['event'])}\n{_details(p)}",
    ]
    link = ticket_url(registration)
    if kind == CONFIRMED:
        parts.append(_("Check-in code: %(code)s", code=qr.checkin_token(registration)))
    if link and kind == OFFERED:
        parts.append(_("Accept or decline it here: %(link)s", link=link))
    elif link and kind in (CONFIRMED, WAITLISTED):
        parts.append(_("Your registration: %(link)s", link=link))
    return TITLES[kind](p), "\n\n".join(parts)


def _language(registration: Registration) -> str | None:
    """A member's language; None for a guest (both languages)."""
    user = registration.user
    if user is None:
        return None
    languages = current_app.config["LANGUAGES"]
    return user.locale if user.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def message(kind: str, p: Params, registration: Registration) -> Outgoing:
    """The mail of a change, in the registrant's language (a guest's: Chinese, then English)."""
    language = _language(registration)
    if language is not None:
        with force_locale(language):
            subject, body = _text(kind, p, registration)
    else:
        with force_locale("zh"):
            subject, body = _text(kind, p, registration)
        with force_locale("en"):
            subject_en, body_en = _text(kind, p, registration)
        subject = f"{subject} / {subject_en}"
        body = f"{body}\n\n————————\n\n{body_en}"
    files: list[tuple[str, str, bytes]] = []
    if kind == CONFIRMED:
        files.append(("ticket.png", "image/png", qr.qr_png(registration)))
    if kind in (CONFIRMED, OFFERED, WAITLISTED):
        ics = calendars.calendar(
            [registration.event], locale=language or calendars.BOTH, name=local(p["event"])
        )
        files.append((f"event-{registration.event_id}.ics", calendars.MIME, ics))
    return Outgoing(registration.email, f"[OPC Ops] {subject}", body + "\n", tuple(files))


def registration_changed(session: Session, registration: Registration) -> None:
    """Tell the registrant of the registration's new status (see the module's doc)."""
    kind = kind_of(registration)
    if kind is None:
        return
    p = params(session, registration)
    if wanted(session):
        queue(session, message(kind, p, registration))
    if registration.user_id is not None:
        made = notifications.notify(session, [registration.user_id], kind, p)
        for notification in made:  # the registration's own mail told them
            notification.emailed_at = utcnow()
