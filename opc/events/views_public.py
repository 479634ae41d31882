"""The public event pages, open without a login (@public; CSRF as everywhere):

* `/p/events/<id>`: a public event's page with the guest form (name, organisation, e-mail,
  phone). A residents-only or unknown event is 404; a cancelled one says so and takes no
  registration. Submissions are rate-limited per client address (a few a minute, more an
  hour: every submission counts, refused ones too), answering a 429 page past the limit.
* `/p/tickets/<secret>`: the registrant's own page, reached by the random secret of their
  link: the status (confirmed with the QR code and its token; the waitlist's position; the
  offered place's deadline with "accept"; cancelled or lapsed), the event's .ics, and a
  cancel button. Unknown secret: 404. It shows this registration only, never anyone else's.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from opc.auth.ratelimit import hit
from opc.core.db import utcnow
from opc.core.errors import DomainError, RateLimited
from opc.core.i18n import locale_code
from opc.core.security import client_address, public
from opc.events import queries as q
from opc.events.forms import ConfirmForm, GuestForm
from opc.events.models import Event, EventStatus, Registration, RegistrationStatus
from opc.events.operations import registrations as ops
from opc.events.qr import checkin_token, qr_svg
from opc.events.views import bp
from opc.extensions import db

# Guest registrations per client address: (setting, default, window).
LIMITS = (
    ("EVENT_GUEST_LIMIT_PER_MINUTE", 5, timedelta(minutes=1)),
    ("EVENT_GUEST_LIMIT_PER_HOUR", 30, timedelta(hours=1)),
)
_SECRET = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _limit() -> None:
    """Count this submission against the client's address; RateLimited past a limit."""
    config = current_app.config
    for setting, default, window in LIMITS:
        limit = int(config.get(setting, default))
        hit(
            f"event_guest:{int(window.total_seconds())}",
            client_address(),
            limit=limit,
            window=window,
        )


def _public_event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or not event.public:
        abort(404)
    g.park = event.park
    return event


def _page(event: Event, form: GuestForm, status: int = 200) -> Any:
    page = render_template(
        "events/public.html",
        event=event,
        locale=locale_code(),
        form=form,
        cancelled=event.status == EventStatus.CANCELLED,
        open=event.registration_open(utcnow()),
        ics="event_desk.event_ics" in current_app.view_functions,
    )
    return page, status


@bp.route("/p/events/<int:event_id>", methods=["GET", "POST"], endpoint="public")
@public
def public_event(event_id: int) -> Any:
    """A public event and the guest form; a registration lands on the guest's ticket page."""
    event = _public_event(event_id)
    form = GuestForm()
    if form.is_submitted():
        try:
            _limit()
        except RateLimited as err:
            page = render_template("events/too_many.html", event=event, message=err.message)
            return page, 429, {"Retry-After": str(err.retry_after)}
    if form.validate_on_submit():
        try:
            registration = ops.register(
                event.id,
                actor=None,
                name=form.name.data or "",
                email=form.email.data or "",
                organisation=form.organisation.data or "",
                phone=form.phone.data or "",
            )
        except DomainError as err:
            db.session.rollback()
            form.show_error(err)
            event = _public_event(event_id)
        else:
            return redirect(url_for("events.ticket", secret=registration.secret))
    return _page(event, form, form.status)


def _ticket(secret: str) -> Registration:
    if not _SECRET.fullmatch(secret):
        abort(404)
    registration = q.by_secret(secret)
    if registration is None:
        abort(404)
    g.park = registration.event.park
    return registration


def _no_store(response: Any) -> Any:
    # The page is the registrant's alone (its address is its key): never kept by a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/p/tickets/<secret>")
@public
def ticket(secret: str) -> Any:
    """The registrant's page: status, QR code when confirmed, calendar, cancel."""
    registration = _ticket(secret)
    return _ticket_page(registration)


def _ticket_page(registration: Registration, status: int = 200) -> Any:
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    page = render_template(
        "events/ticket.html",
        r=registration,
        event=registration.event,
        locale=locale_code(),
        qr=qr_svg(registration) if confirmed else None,
        token=checkin_token(registration) if confirmed else None,
        position=q.waitlist_position(registration),
        ics="event_desk.event_ics" in current_app.view_functions,
        form=ConfirmForm(),
    )
    response = current_app.make_response((page, status))
    return _no_store(response)


def _ticket_action(secret: str, run: Any, done: str) -> Any:
    registration = _ticket(secret)
    try:
        run(registration.id, actor=None, secret=secret)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return _ticket_page(_ticket(secret), 422)
    flash(done, "success")
    return redirect(url_for("events.ticket", secret=secret))


@bp.route("/p/tickets/<secret>/cancel", methods=["POST"])
@public
def ticket_cancel(secret: str) -> Any:
    """The registrant cancels (the place passes to the next in line)."""
    return _ticket_action(secret, ops.cancel_registration, _("Your registration is cancelled."))


@bp.route("/p/tickets/<secret>/accept", methods=["POST"])
@public
def ticket_accept(secret: str) -> Any:
    """The registrant takes the place offered to them before its deadline."""
    return _ticket_action(secret, ops.accept_offer, _("The place is yours: see you there."))
