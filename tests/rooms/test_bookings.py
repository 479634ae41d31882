"""Booking a room: each rule refuses with its own error and writes nothing; a booking in
the room's hours, on its grid, for the member's resident team, in the future and free of
others is kept with the park-local month of its start."""

from __future__ import annotations

from opc.rooms.models import Booking
from opc.rooms.operations import bookings as ops
from tests.rooms.helpers import act, at, book, count, one, place, refused


def _try(app, p, start, end, **kw):
    values = {
        "actor": kw.pop("actor", p.member),
        "unit_id": kw.pop("unit_id", p.room.unit_id),
        "team_id": kw.pop("team_id", p.team.id),
        "starts_at": start,
        "ends_at": end,
    }
    return refused(app, ops.book, **values, **kw)


def test_a_member_books_a_free_slot_for_their_team(app, make):
    p = place(make)
    booking = one(
        app, Booking, book(app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 30), title="路演彩排")
    )
    assert (booking.team_id, booking.month, booking.status, booking.title) == (
        p.team.id,
        "2027-03",
        "confirmed",
        "路演彩排",
    )
    assert (booking.charged_minutes, booking.charge_fen, booking.booked_by_id) == (
        0,
        0,
        p.member.id,
    )


def test_the_end_must_come_after_the_start(app, make):
    p = place(make)
    err = _try(app, p, at(2027, 3, 2, 11, 0), at(2027, 3, 2, 10, 0))
    assert err.status == 422 and "ends_at" in err.fields


def test_start_and_end_lie_on_the_slot_grid_from_opening(app, make):
    p = place(make, opens_minute=9 * 60 + 15, closes_minute=21 * 60 + 15)
    err = _try(app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 10, 45))
    assert err.status == 422 and set(err.fields) == {"starts_at"}
    err = _try(app, p, at(2027, 3, 2, 10, 15), at(2027, 3, 2, 10, 50))
    assert err.status == 422 and set(err.fields) == {"ends_at"}
    book(app, p, at(2027, 3, 2, 10, 15), at(2027, 3, 2, 10, 45))


def test_outside_the_opening_hours_or_on_a_closed_day_is_refused(app, make):
    p = place(make, weekdays=0b0011111)  # Monday to Friday
    for start, end in [
        (at(2027, 3, 2, 8, 0), at(2027, 3, 2, 9, 30)),  # before opening
        (at(2027, 3, 2, 20, 30), at(2027, 3, 2, 21, 30)),  # past closing
        (at(2027, 3, 6, 10, 0), at(2027, 3, 6, 11, 0)),  # a Saturday
        (at(2027, 3, 2, 20, 0), at(2027, 3, 3, 10, 0)),  # over night
    ]:
        err = _try(app, p, start, end)
        assert err.code == "outside_opening_hours", (start, err.code)
    assert count(app, Booking) == 0
    book(app, p, at(2027, 3, 2, 9, 0), at(2027, 3, 2, 21, 0))  # the whole day fits


def test_a_room_open_until_midnight_takes_the_last_slot(app, make):
    p = place(make, opens_minute=0, closes_minute=24 * 60)
    book(app, p, at(2027, 3, 2, 23, 30), at(2027, 3, 3, 0, 0))


def test_a_time_that_has_begun_is_refused(app, make):
    p = place(make)
    err = _try(app, p, at(2027, 2, 28, 10, 0), at(2027, 2, 28, 11, 0))
    assert err.code == "booking_in_past"


def test_an_inactive_room_is_refused(app, make):
    p = place(make, active=False)
    assert _try(app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 0)).code == "room_inactive"


def test_a_room_for_staff_only_refuses_members_but_not_staff(app, make):
    p = place(make, bookable_by="staff")
    err = _try(app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 0))
    assert err.status == 403
    book(app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 0), actor=p.staff)


def test_a_member_books_only_for_their_own_team(app, make):
    p = place(make)
    other = make.team(p.park, status="resident")
    err = _try(app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 0), team_id=other.id)
    assert err.status == 404


def test_a_team_that_is_not_resident_is_refused(app, make):
    p = place(make)
    admitted = make.team(p.park, status="admitted")
    member = make.user("member", team=admitted)
    err = _try(
        app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 0), actor=member, team_id=admitted.id
    )
    assert err.code == "team_not_resident"
    err = _try(
        app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 0), actor=p.staff, team_id=admitted.id
    )
    assert err.code == "team_not_resident"


def test_a_member_of_another_park_sees_no_room(app, make):
    p = place(make)
    q = place(make)
    err = _try(
        app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 0), actor=q.member, team_id=q.team.id
    )
    assert err.status == 422 and "unit_id" in err.fields


def test_an_overlap_is_refused_naming_the_booking_in_the_way(app, make):
    p = place(make)
    other = make.team(p.park, status="resident")
    first = book(
        app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 12, 0), actor=p.staff, team_id=other.id
    )
    err = _try(app, p, at(2027, 3, 2, 11, 30), at(2027, 3, 2, 12, 30))
    assert err.code == "room_taken"
    assert "10:00" in err.message and "12:00" in err.message
    assert err.conflict["booking_id"] == first
    book(app, p, at(2027, 3, 2, 12, 0), at(2027, 3, 2, 13, 0))  # touching ends are fine


def test_a_cancelled_booking_frees_its_time(app, make):
    p = place(make)
    first = book(app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 0))
    act(app, ops.cancel_booking, first, actor=p.member)
    book(app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 0))


def test_staff_book_for_the_park_itself(app, make):
    p = place(make)
    booking = one(
        app,
        Booking,
        book(app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 0), actor=p.staff, team_id=None),
    )
    assert booking.team_id is None and booking.charge_fen == 0
