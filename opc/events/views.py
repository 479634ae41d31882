"""The event pages (blueprint "events"): the park's events as a month calendar and an upcoming
list (filters in the URL), an event's page — for members their registration and its buttons,
for staff the registrations by group with the waitlist in line order, counts, attendance and
the desk's links — and a member registering, cancelling and accepting an offered place.
The staff's form is in views_manage, the public pages in views_public. Thin: parse, call
the operation, redirect; a refusal shows the page again with status 422 and the message."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton
from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from opc.core.dates import PARK_TZ, date_problem, format_datetime, format_time, local_today
from opc.core.db import utcnow
from opc.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from opc.core.i18n import locale_code
from opc.core.pagination import paginate
from opc.core.permissions import Role, get_or_404, visible
from opc.core.security import acting_user
from opc.core.values import arg_id, arg_text
from opc.events import queries as q
from opc.events.attendance import attendance
from opc.events.forms import ConfirmForm
from opc.events.labels import KINDS
from opc.events.models import LIVE, Event, Registration, RegistrationStatus
from opc.events.operations import registrations as ops
from opc.events.permissions import can_manage_events, can_register, can_view_event
from opc.extensions import db
from opc.parks.models import Park

bp = Blueprint("events", __name__)
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


@bp.app_template_filter("event_when")
def event_when(event: Event) -> str:
    """When an event takes place, in its park's time and the page's language:
    23 Nov 2026, 09:00–11:00 / 2026年11月23日 09:00–11:00 (the last day too when it runs
    past midnight)."""
    tz = event.park.timezone
    zone = ZoneInfo(tz)
    same_day = event.starts_at.astimezone(zone).date() == event.ends_at.astimezone(zone).date()
    language = locale_code()
    end = (
        format_time(event.ends_at, tz) if same_day else format_datetime(event.ends_at, tz, language)
    )
    return f"{format_datetime(event.starts_at, tz, language)}–{end}"


@bp.app_template_filter("event_clock")
def event_clock(event: Event) -> str:
    """The time an event starts in its park: 09:30."""
    return event.starts_at.astimezone(ZoneInfo(event.park.timezone)).strftime("%H:%M")


def _day_names(week: list[Any]) -> list[str]:
    return [format_date(d.day, "EEE", locale=locale_code()) for d in week]


def may_see_events(user: Any) -> bool:
    """Staff, admins and members of a team: the nav entry and the list."""
    return user.role == Role.ADMIN or (can_view_event(user) and _has_park(user))


def _has_park(user: Any) -> bool:
    return user.role == Role.STAFF or user.team_id is not None


def _month(tz: str) -> date:
    """?month=YYYY-MM as its first day; absent or no month: this month in `tz`."""
    match = _MONTH.fullmatch(arg_text("month", max_length=7).strip())
    if match is None or not 1 <= int(match[2]) <= 12:
        return local_today(tz).replace(day=1)
    first = date(max(int(match[1]), 1), int(match[2]), 1)  # year 0 is no year: refused
    problem = date_problem(first)
    if problem:
        raise ValidationFailed({"month": [problem]}, problem)
    return first


def _shifted(first: date, months: int) -> date | None:
    """The first day of the month `months` away (±1), None beyond the calendar."""
    day = first - timedelta(days=1) if months < 0 else first + timedelta(days=31)
    day = day.replace(day=1)
    return None if date_problem(day) else day


@bp.route("/events")
def index() -> Any:
    """The events of the reader's parks: a month's calendar and the upcoming ones (paged),
    filtered by park (staff of several), kind and audience."""
    if not may_see_events(current_user):
        raise NotFound("not_found", _("Not found."))
    parks = list(
        db.session.scalars(select(Park).where(visible(current_user, Park)).order_by(Park.id))
    )
    park_id = arg_id("park_id")
    if park_id is not None and park_id not in {p.id for p in parks}:
        raise NotFound("not_found", _("Not found."))
    kind = arg_text("kind", max_length=20)
    audience = arg_text("audience", max_length=20)
    filters = q.Filters(
        park_id=park_id,
        kind=kind if kind in KINDS else None,
        audience=audience if audience in q.AUDIENCES else None,
    )
    park = next((p for p in parks if p.id == park_id), parks[0] if len(parks) == 1 else None)
    if park is not None:
        g.park = park
    first = _month(park.timezone if park else PARK_TZ)
    weeks = q.month_grid(current_user, filters, first)
    sort = q.UPCOMING.chosen()
    return render_template(
        "events/index.html",
        filters=filters,
        parks=parks,
        park=park,
        kinds=KINDS,
        audiences={"public": _("Public"), "residents": _("Residents only")},
        first=first,
        weeks=weeks,
        day_names=_day_names(weeks[0]),
        month_name=format_skeleton("yMMMM", first, locale=locale_code()),
        previous=_shifted(first, -1),
        following=_shifted(first, 1),
        page=paginate(q.upcoming(current_user, filters, utcnow(), sort)),
        sort=sort,
        filtered=any((filters.park_id, filters.kind, filters.audience)),
        may_create=can_manage_events(current_user) or current_user.role == Role.ADMIN,
    )


def _links(event: Event, staff: bool) -> dict[str, str]:
    """The check-in desk's pages of the event, when they are served (opc.events' desk)."""
    views = current_app.view_functions
    found: dict[str, str] = {}
    if staff and "event_desk.desk" in views:
        found[url_for("event_desk.desk", event_id=event.id)] = _("Check-in desk")
    if staff and "event_desk.attendees" in views:
        found[url_for("event_desk.attendees", event_id=event.id, fmt="xlsx")] = _(
            "Attendees (XLSX)"
        )
        found[url_for("event_desk.attendees", event_id=event.id, fmt="csv")] = _("Attendees (CSV)")
    if "event_desk.event_ics" in views:
        found[url_for("event_desk.event_ics", event_id=event.id)] = _("Add to calendar (.ics)")
    return found


def detail_page(event: Event, status: int = 200) -> Any:
    """The event's page for its reader (staff: the registrations; a member: theirs)."""
    g.park = event.park
    staff = can_manage_events(current_user, event)
    own = position = None
    if current_user.role == Role.MEMBER:
        own = q.own_registration(event.id, current_user.id)
        position = q.waitlist_position(own) if own is not None else None
    values: dict[str, Any] = {}
    if staff:
        group = arg_text("list", max_length=20)
        group = group if group in q.GROUPS else "confirmed"
        by_status = q.counts(event.id)
        values = {
            "group": group,
            "by_status": by_status,
            "groups": q.group_counts(by_status),
            "page": paginate(q.registrations(event.id, group)),
            "attendance": attendance(event),  # checked in, confirmed, rate
        }
    page = render_template(
        "events/detail.html",
        event=event,
        locale=locale_code(),
        staff=staff,
        own=own,
        position=position,
        live=own is not None and own.status in LIVE,
        may_register=can_register(current_user, event) and event.registration_open(utcnow()),
        room_id=q.room_id_of(event.venue_unit_id)
        if "rooms.week" in current_app.view_functions
        else None,
        links=_links(event, staff),
        form=ConfirmForm(),
        now=utcnow(),
        **values,
    )
    return page, status


@bp.route("/events/<int:event_id>")
def detail(event_id: int) -> Any:
    """An event: what, when and where, places left and the registration window; the
    reader's own registration or (staff) everyone's."""
    return detail_page(get_or_404(Event, event_id, current_user))


def _done(registration: Registration) -> str:
    messages = {
        RegistrationStatus.CONFIRMED: _("You are registered: your place is confirmed."),
        RegistrationStatus.WAITLISTED: _(
            "The event is full: you are on the waitlist and are told when a place frees up."
        ),
        RegistrationStatus.OFFERED: _("A place is offered to you."),
        RegistrationStatus.CANCELLED: _("Your registration is cancelled."),
    }
    return messages.get(registration.status, _("Saved."))  # type: ignore[call-overload]


def _act(event_id: int, action: str, run: Any) -> Any:
    event = get_or_404(Event, event_id, current_user, action)
    try:
        registration = run(event)
    except (NotFound, Forbidden):
        raise
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return detail_page(get_or_404(Event, event_id, current_user), 422)
    flash(_done(registration), "success")
    return redirect(url_for("events.detail", event_id=event_id))


def _own(event: Event, registration_id: int) -> Registration:
    registration = get_or_404(Registration, registration_id, current_user)
    if registration.event_id != event.id:
        raise NotFound("not_found", _("Not found."))
    return registration


@bp.route("/events/<int:event_id>/register", methods=["POST"])
def register(event_id: int) -> Any:
    """A member registers themselves (confirmed, or on the waitlist when full)."""
    return _act(event_id, "events.register", lambda e: ops.register(e.id, actor=acting_user()))


@bp.route("/events/<int:event_id>/registrations/<int:registration_id>/cancel", methods=["POST"])
def cancel_registration(event_id: int, registration_id: int) -> Any:
    """A member cancels their registration (the place passes to the next in line)."""

    def run(event: Event) -> Registration:
        own = _own(event, registration_id)
        return ops.cancel_registration(own.id, actor=acting_user())

    return _act(event_id, "events.view", run)


@bp.route("/events/<int:event_id>/registrations/<int:registration_id>/accept", methods=["POST"])
def accept_offer(event_id: int, registration_id: int) -> Any:
    """A member takes the place offered to them before its deadline."""

    def run(event: Event) -> Registration:
        own = _own(event, registration_id)
        return ops.accept_offer(own.id, actor=acting_user())

    return _act(event_id, "events.view", run)
