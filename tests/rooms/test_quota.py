"""A team's free hours of a room a month, and the charge beyond them: minutes beyond what is
left × the rate ÷ 60, exact, half-up to the fen per booking; refused without a rate. A
charge is fixed when booked: a cancellation does not recompute later bookings' charges."""

from __future__ import annotations

from opc.rooms.models import Booking
from opc.rooms.operations import bookings as ops
from tests.rooms.helpers import act, at, book, count, one, place, refused


def _charge(app, booking_id):
    booking = one(app, Booking, booking_id)
    return booking.charged_minutes, booking.charge_fen


def test_hours_beyond_the_free_quota_are_charged_at_the_rate(app, make):
    p = place(make)  # 10 free hours, ¥100.00 an hour
    first = book(app, p, at(2027, 3, 2, 9, 0), at(2027, 3, 2, 18, 0))  # 9 hours
    assert _charge(app, first) == (0, 0)
    second = book(app, p, at(2027, 3, 3, 9, 0), at(2027, 3, 3, 11, 0))  # 1 free, 1 charged
    assert _charge(app, second) == (60, 10_000)
    third = book(app, p, at(2027, 3, 4, 9, 0), at(2027, 3, 4, 9, 30))
    assert _charge(app, third) == (30, 5_000)


def test_the_charge_rounds_half_up_to_the_fen_per_booking(app, make):
    p = place(make, free_hours_per_month=0, rate_fen_per_hour=3_333)
    first = book(app, p, at(2027, 3, 2, 9, 0), at(2027, 3, 2, 9, 30))
    assert _charge(app, first) == (30, 1_667)  # 1666.5 fen
    second = book(app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 30))
    assert _charge(app, second) == (90, 5_000)  # 4999.5 fen


def test_the_quota_counts_per_month_and_per_room(app, make):
    p = place(make, free_hours_per_month=2)
    other = make.room(p.park, free_hours_per_month=2)
    book(app, p, at(2027, 3, 2, 9, 0), at(2027, 3, 2, 11, 0))
    # Another room of the park has its own quota; April starts afresh.
    elsewhere = act(
        app, ops.book, actor=p.member, unit_id=other.unit_id, team_id=p.team.id,
        starts_at=at(2027, 3, 2, 9, 0), ends_at=at(2027, 3, 2, 11, 0),
    )  # fmt: skip
    assert _charge(app, elsewhere) == (0, 0)
    assert _charge(app, book(app, p, at(2027, 4, 1, 9, 0), at(2027, 4, 1, 11, 0))) == (0, 0)
    # Another team's bookings do not count against this one's.
    team = make.team(p.park, status="resident")
    theirs = book(
        app, p, at(2027, 3, 3, 9, 0), at(2027, 3, 3, 11, 0), actor=p.staff, team_id=team.id
    )
    assert _charge(app, theirs) == (0, 0)


def test_beyond_the_quota_without_a_rate_is_refused_naming_the_hours(app, make):
    p = place(make, free_hours_per_month=4, rate_fen_per_hour=None)
    book(app, p, at(2027, 3, 2, 9, 0), at(2027, 3, 2, 12, 30))  # 3.5 hours
    err = refused(
        app, ops.book, actor=p.member, unit_id=p.room.unit_id, team_id=p.team.id,
        starts_at=at(2027, 3, 3, 9, 0), ends_at=at(2027, 3, 3, 10, 0),
    )  # fmt: skip
    assert err.code == "quota_exceeded"
    assert "3.5" in err.message and "4" in err.message
    assert err.conflict["used_hours"] == "3.5" and err.conflict["free_hours_per_month"] == 4
    assert count(app, Booking) == 1
    book(app, p, at(2027, 3, 3, 9, 0), at(2027, 3, 3, 9, 30))  # what is left still fits


def test_a_cancellation_frees_quota_but_keeps_later_charges(app, make):
    p = place(make, free_hours_per_month=2)
    first = book(app, p, at(2027, 3, 2, 9, 0), at(2027, 3, 2, 11, 0))
    later = book(app, p, at(2027, 3, 3, 9, 0), at(2027, 3, 3, 10, 0))
    assert _charge(app, later) == (60, 10_000)
    act(app, ops.cancel_booking, first, actor=p.member)
    assert _charge(app, later) == (60, 10_000)  # fixed when booked
    after = book(app, p, at(2027, 3, 4, 9, 0), at(2027, 3, 4, 10, 0))
    assert _charge(app, after) == (0, 0)  # the freed hours serve the next booking
