"""The rooms pages (blueprint "rooms"): a park's rooms with which are free now and until
when, and each one's next free slot; a room's week (seven days × its slots: another team's
booking shows as taken, an event's by its title) with the booking form; the member's team's
bookings with its free hours used this month; a booking's page (cancel: staff with a
reason); a room's terms (staff). Thin: parse, call the operation, redirect; a refused form
re-renders with status 422."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from opc.core import nav
from opc.core.db import utcnow
from opc.core.errors import DomainError, NotFound
from opc.core.i18n import locale_code
from opc.core.pagination import paginate
from opc.core.permissions import Role, get_or_404, require, visible
from opc.core.security import acting_user
from opc.core.sorting import sorted_rows
from opc.core.values import arg_date, arg_id, parse_id
from opc.extensions import db
from opc.parks.models import Park
from opc.rooms import queries, team_pages
from opc.rooms.forms import WEEKDAYS, BookingForm, CancelForm, RoomForm
from opc.rooms.models import Booking, BookingStatus, Room
from opc.rooms.operations import bookings as ops
from opc.rooms.operations import rooms as room_ops
from opc.rooms.operations.bookings import clock, hours
from opc.rooms.permissions import can_manage_rooms, can_view_booking, can_view_room
from opc.space.models import Unit
from opc.teams.models import Team, TeamStatus

bp = Blueprint("rooms", __name__)


def is_member(user: Any) -> bool:
    return user.role == Role.MEMBER and user.team_id is not None


def _parks(user: Any) -> list[Park]:
    return list(db.session.scalars(select(Park).where(visible(user, Park)).order_by(Park.id)))


@bp.route("/rooms")
def index() -> Any:
    """The park's rooms: free now (until when) or taken, and the next free slot."""
    require(can_view_room(current_user))
    parks = [current_user.team.park] if is_member(current_user) else _parks(current_user)
    wanted = arg_id("park_id")
    park = next((p for p in parks if p.id == wanted), parks[0] if parks else None)
    if park is None or (wanted is not None and park.id != wanted):
        raise NotFound("not_found", _("Not found."))
    tz = ZoneInfo(park.timezone)
    rooms = list(db.session.scalars(queries.rooms_stmt(current_user, park.id)))
    unbookable: list[Unit] = []
    if can_manage_rooms(current_user, park):
        unbookable = list(
            db.session.scalars(
                select(Unit)
                .where(
                    Unit.park_id == park.id,
                    Unit.kind == "shared_room",
                    Unit.id.not_in(select(Room.unit_id)),
                )
                .order_by(Unit.code)
            )
        )
    sort = queries.ROOMS.chosen()
    return render_template(
        "rooms/index.html",
        park=park,
        parks=parks,
        rooms=sorted_rows(sort, queries.availability(rooms, utcnow(), tz)),
        sort=sort,
        unbookable=unbookable,
        manage=can_manage_rooms(current_user, park),
        locale=locale_code(),
    )


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _team_choices(room: Room) -> list[SelectChoice]:
    teams = db.session.scalars(
        select(Team)
        .where(Team.park_id == room.park_id, Team.status == TeamStatus.RESIDENT)
        .order_by(Team.name_pinyin)
    )
    return [SelectChoice("", _("— the park itself —"))] + [
        SelectChoice(str(t.id), t.display_name(locale_code())) for t in teams
    ]


def week_page(room: Room, form: BookingForm | None = None, status: int = 200) -> Any:
    """The room's week with the booking form (`form`: a refused one, kept as typed)."""
    park = db.session.get(Park, room.park_id)
    assert park is not None
    tz = ZoneInfo(park.timezone)
    now = utcnow()
    monday = _monday(arg_date("week") or now.astimezone(tz).date())
    staff = can_manage_rooms(current_user, room)
    if form is None:
        form = BookingForm(data={"day": max(monday, now.astimezone(tz).date())})
    if staff:
        form.team_id.choices = _team_choices(room)
    grid = queries.week(room, monday, tz, now)
    return render_template(
        "rooms/week.html",
        room=room,
        park=park,
        grid=grid,
        tz=tz,
        clock=clock,
        form=form,
        staff=staff,
        shows=lambda b: can_view_booking(current_user, b),
        previous=monday - timedelta(days=7),
        next=monday + timedelta(days=7),
        weekdays=WEEKDAYS,
        hours=hours,
    ), status


@bp.route("/rooms/<int:room_id>")
def week(room_id: int) -> Any:
    """A room's week: its slots, taken or free, and the booking form."""
    return week_page(get_or_404(Room, room_id, current_user))


@bp.route("/rooms/<int:room_id>/book", methods=["POST"])
def book(room_id: int) -> Any:
    """Book the room: the member for their team, staff for a team of the park or the park."""
    room = get_or_404(Room, room_id, current_user, "bookings.create")
    form = BookingForm()
    staff = can_manage_rooms(current_user, room)
    if staff:
        form.team_id.choices = _team_choices(room)
    if not form.validate_on_submit():
        return week_page(room, form, form.status)
    tz = ZoneInfo(room.unit.park.timezone)
    start, end = form.instants(tz)
    team_id = parse_id(form.team_id.data) if staff else current_user.team_id
    try:
        booking = ops.book(
            actor=acting_user(),
            unit_id=room.unit_id,
            team_id=team_id,
            starts_at=start,
            ends_at=end,
            title=form.title.data or "",
        )
    except DomainError as err:
        form.show_error(err)
        db.session.rollback()
        return week_page(get_or_404(Room, room_id, current_user), form, 422)
    flash(_("Booked."), "success")
    day = booking.starts_at.astimezone(tz).date()
    return redirect(url_for("rooms.week", room_id=room_id, week=_monday(day).isoformat()))


@bp.route("/rooms/bookings")
def mine() -> Any:
    """A member: their team's bookings, upcoming and past, and the free hours used."""
    if not is_member(current_user):
        raise NotFound("not_found", _("Not found."))
    team = current_user.team
    tz = ZoneInfo(team.park.timezone)
    now = utcnow()
    sort = queries.BOOKINGS.requested()
    upcoming = list(db.session.scalars(queries.upcoming_bookings(team.id, now, sort)))
    used = queries.minutes_used(db.session, team.id, now.astimezone(tz).strftime("%Y-%m"))
    rooms = list(db.session.scalars(queries.rooms_stmt(current_user, team.park_id)))
    quota = [(r, used.get(r.unit_id, 0)) for r in rooms if r.active]
    return render_template(
        "rooms/mine.html",
        upcoming=upcoming,
        past=paginate(queries.past_bookings(team.id, now, sort)),
        sort=sort or queries.BOOKINGS.chosen(),
        quota=quota,
        tz=tz,
        hours=hours,
        cancel=CancelForm(),
    )


def booking_page(booking: Booking, form: CancelForm | None = None, status: int = 200) -> Any:
    park = db.session.get(Park, booking.park_id)
    assert park is not None
    own = current_user.role == Role.MEMBER
    may_cancel = (
        booking.status == BookingStatus.CONFIRMED
        and booking.event_id is None
        and booking.starts_at > utcnow()
    )
    return render_template(
        "rooms/booking.html",
        b=booking,
        tz=ZoneInfo(park.timezone),
        form=form or CancelForm(),
        may_cancel=may_cancel,
        reason_needed=not own,
        hours=hours,
    ), status


@bp.route("/rooms/bookings/<int:booking_id>")
def booking(booking_id: int) -> Any:
    """A booking: its room, time, team, charge; cancel it."""
    return booking_page(get_or_404(Booking, booking_id, current_user))


@bp.route("/rooms/bookings/<int:booking_id>/cancel", methods=["POST"])
def cancel(booking_id: int) -> Any:
    """Cancel a booking (a member their team's; staff any, with a reason)."""
    found = get_or_404(Booking, booking_id, current_user, "bookings.cancel")
    form = CancelForm()
    if not form.validate_on_submit():
        return booking_page(found, form, form.status)
    try:
        ops.cancel_booking(found.id, actor=acting_user(), reason=form.reason.data or "")
    except DomainError as err:
        form.show_error(err)
        db.session.rollback()
        return booking_page(get_or_404(Booking, booking_id, current_user), form, 422)
    flash(_("The booking is cancelled."), "success")
    if is_member(current_user):
        return redirect(url_for("rooms.mine"))
    return redirect(url_for("rooms.booking", booking_id=booking_id))


def _room_form(room: Room | None) -> RoomForm:
    if room is None:
        return RoomForm(
            data={
                "opens_minute": "09:00",
                "closes_minute": "21:00",
                "weekdays": [str(n) for n in range(7)],
                "slot_minutes": "30",
                "bookable_by": "residents",
                "free_hours_per_month": "10",
                "active": True,
            }
        )
    rate = room.rate_fen_per_hour
    return RoomForm(
        data={
            "opens_minute": clock(room.opens_minute),
            "closes_minute": clock(room.closes_minute),
            "weekdays": [str(n) for n in range(7) if room.open_on(n)],
            "slot_minutes": str(room.slot_minutes),
            "bookable_by": room.bookable_by,
            "free_hours_per_month": str(room.free_hours_per_month),
            "rate_yuan_per_hour": "" if rate is None else f"{rate // 100}.{rate % 100:02d}",
            "active": room.active,
        }
    )


@bp.route("/rooms/units/<int:unit_id>/settings", methods=["GET", "POST"])
def settings(unit_id: int) -> Any:
    """A unit's booking terms (staff): make it bookable, or change its room's terms."""
    unit = get_or_404(Unit, unit_id, current_user)
    require(can_manage_rooms(current_user, unit))
    room = db.session.scalars(select(Room).where(Room.unit_id == unit.id)).first()
    form = RoomForm() if request.method == "POST" else _room_form(room)
    if form.validate_on_submit():
        try:
            saved = room_ops.set_room(actor=acting_user(), unit_id=unit.id, **form.terms())
        except DomainError as err:
            form.show_error(err)
            db.session.rollback()
        else:
            flash(_("The room's terms are saved."), "success")
            return redirect(url_for("rooms.week", room_id=saved.id))
    return render_template("rooms/settings.html", unit=unit, room=room, form=form), form.status


def may_see_rooms(user: Any) -> bool:
    return can_view_room(user)


def register(app: Flask) -> None:
    """The blueprint, its navigation entries and the team page's card."""
    app.register_blueprint(bp)
    nav.add("rooms.index", _l("Rooms"), may_see_rooms, order=50)
    team_pages.register()
