"""The check-in desk and the event's files (blueprint "event_desk").

* `desk` — the door: scan the ticket's QR code with the device's camera
  (opc/static/js/checkin.js), or type or paste its code, or find the registrant in the list
  of confirmed registrations (search by name, organisation, e-mail) and check them in; the
  result and the running attendance on top. Staff of the park only.
* `attendees` — the registrations as CSV (UTF-8 with BOM) or XLSX, times in the park's zone.
* `event_ics` / `park_ics` — iCalendar files (opc.events.calendars): one event (a public
  event's for anyone, a residents-only event's for those who may see it), and a park's feed
  of its public events from FEED_DAYS_BACK days back on (@public: calendars subscribe to it
  without a login).
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from opc.core.dates import to_local
from opc.core.errors import DomainError
from opc.core.export import export_response
from opc.core.i18n import locale_code
from opc.core.permissions import get_or_404
from opc.core.security import acting_user, public
from opc.core.values import arg_text, parse_id
from opc.events import calendars
from opc.events.attendance import attendance
from opc.events.labels import registration_status_label
from opc.events.models import Event, Registration, RegistrationStatus
from opc.events.operations.checkin import check_in, checkin_window
from opc.extensions import db

bp = Blueprint("event_desk", __name__)

DESK_LIST_MAX = 300  # rows the desk's list shows; the search finds the rest
# The desk may use the camera of its own origin (the site's default policy forbids it).
DESK_PERMISSIONS = "camera=(self), microphone=(), geolocation=()"


def _managed(event_id: int) -> Event:
    event: Event = get_or_404(Event, event_id, current_user, "events.manage")
    g.park = event.park
    return event


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def desk_list(event: Event, search: str) -> list[Registration]:
    """The event's confirmed registrations (by name), those matching `search` only."""
    stmt = (
        select(Registration)
        .options(joinedload(Registration.team))
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .order_by(Registration.name, Registration.id)
        .limit(DESK_LIST_MAX + 1)
    )
    if search:
        pattern = _like(search.lower())
        stmt = stmt.where(
            or_(
                Registration.name.ilike(pattern, escape="\\"),
                Registration.organisation.ilike(pattern, escape="\\"),
                Registration.email.like(pattern, escape="\\"),
            )
        )
    return list(db.session.scalars(stmt))


def _told(registration: Registration, already: bool, tz: str) -> None:
    if already:
        at = to_local(registration.checked_in_at, tz)
        time = at.strftime("%H:%M") if at else "—"
        flash(
            _("%(name)s was checked in already, at %(time)s.", name=registration.name, time=time),
            "warning",
        )
    else:
        flash(_("%(name)s is checked in.", name=registration.name), "success")


@bp.route("/events/<int:event_id>/check-in", methods=["GET", "POST"], endpoint="desk")
def desk(event_id: int) -> Any:
    """The door's desk: scan, type or pick a registration and check it in."""
    event = _managed(event_id)
    search = arg_text("q", max_length=100).strip()
    refusal: DomainError | None = None
    if request.method == "POST":
        token = (request.form.get("token") or "").strip() or None
        registration_id = parse_id(request.form.get("registration_id") or "")
        if request.form.get("registration_id") and registration_id is None:
            registration_id = 0  # not an id: the operation refuses it (422)
        try:
            registration, already = check_in(
                actor=acting_user(),
                event_id=event.id,
                token=token,
                registration_id=registration_id,
            )
        except DomainError as err:
            refusal = err
        else:
            _told(registration, already, event.park.timezone)
            scan = "1" if request.form.get("scan") else None
            return redirect(url_for(".desk", event_id=event.id, q=search or None, scan=scan))
    checked_in, confirmed, rate = attendance(event)
    opens, closes = checkin_window(event)
    page = render_template(
        "events/desk.html",
        event=event,
        locale=locale_code(),
        search=search,
        registrations=desk_list(event, search),
        limit=DESK_LIST_MAX,
        checked_in=checked_in,
        confirmed=confirmed,
        rate=rate,
        opens=opens,
        closes=closes,
        refusal=refusal,
        autoscan=request.args.get("scan") == "1",
    )
    response = Response(page, status=refusal.status if refusal else 200)
    response.headers["Permissions-Policy"] = DESK_PERMISSIONS
    return response


def attendee_headers(tz: str) -> list[str]:
    return [
        _("Name"),
        _("Organisation"),
        _("E-mail"),
        _("Phone"),
        _("Team"),
        _("Status"),
        _("Registered at (%(tz)s)", tz=tz),
        _("Checked in at (%(tz)s)", tz=tz),
    ]


def attendee_rows(event: Event, locale: str) -> list[list[Any]]:
    """One row per registration (every status), in the order they registered."""
    tz = event.park.timezone
    stmt = (
        select(Registration)
        .options(joinedload(Registration.team))
        .where(Registration.event_id == event.id)
        .order_by(Registration.queued_at, Registration.id)
    )

    def local(value: Any) -> Any:  # spreadsheets know no zones: the park's clock
        shown = to_local(value, tz)
        return shown.replace(tzinfo=None, second=0, microsecond=0) if shown else None

    return [
        [
            r.name,
            r.organisation,
            r.email,
            r.phone,
            r.team.display_name(locale) if r.team else "",
            registration_status_label(r.status),
            local(r.created_at),
            local(r.checked_in_at),
        ]
        for r in db.session.scalars(stmt)
    ]


@bp.route("/events/<int:event_id>/attendees.<any(csv, xlsx):fmt>", endpoint="attendees")
def attendees(event_id: int, fmt: str) -> Any:
    """The event's registrations as CSV (UTF-8 with BOM) or XLSX; staff of the park."""
    event = _managed(event_id)
    locale = locale_code()
    filename = f"{_('Attendees')} {event.title(locale)}"
    rows = attendee_rows(event, locale)
    return export_response(fmt, filename, attendee_headers(event.park.timezone), rows)


@bp.route("/events/<int:event_id>.ics", endpoint="event_ics")
@public
def event_ics(event_id: int) -> Any:
    """One event as an iCalendar file."""
    if not current_user.is_authenticated:
        event = db.session.get(Event, event_id)
        if event is not None and not event.public:
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    event = calendars.event_for_calendar(event_id, current_user)
    body = calendars.calendar([event], locale=locale_code(), name=event.title(locale_code()))
    return calendars.ics_response(body, f"event-{event.id}.ics")


@bp.route("/parks/<int:park_id>/events.ics", endpoint="park_ics")
@public
def park_ics(park_id: int) -> Any:
    """A park's public events as an iCalendar feed."""
    park, events = calendars.park_feed(park_id)
    locale = locale_code()
    name = _("Events of %(park)s", park=park.display_name(locale))
    return calendars.ics_response(calendars.calendar(events, locale=locale, name=name))
