"""Cancelling a booking: a member their team's (another team's is not found), staff any
with a reason; never twice, never once begun, never an event's (cancel the event)."""

from __future__ import annotations

from datetime import timedelta

from opc.rooms.models import Booking
from opc.rooms.operations import bookings as ops
from tests.rooms.helpers import NOW, act, at, book, make_event_booking, one, place, refused


def test_a_member_cancels_their_teams_booking(app, make):
    p = place(make)
    booking_id = book(app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 0))
    act(app, ops.cancel_booking, booking_id, actor=p.member)
    booking = one(app, Booking, booking_id)
    assert (booking.status, booking.cancelled_by_id, booking.cancel_reason) == (
        "cancelled",
        p.member.id,
        "",
    )
    assert booking.cancelled_at is not None


def test_a_member_of_another_team_gets_not_found(app, make):
    p = place(make)
    booking_id = book(app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 0))
    other = make.team(p.park, status="resident")
    stranger = make.user("member", team=other)
    err = refused(app, ops.cancel_booking, booking_id, actor=stranger)
    assert err.status == 404
    assert one(app, Booking, booking_id).status == "confirmed"


def test_staff_cancel_any_booking_with_a_reason(app, make):
    p = place(make)
    booking_id = book(app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 0))
    err = refused(app, ops.cancel_booking, booking_id, actor=p.staff)
    assert err.status == 422 and "reason" in err.fields
    act(app, ops.cancel_booking, booking_id, actor=p.staff, reason="消防检查")
    assert one(app, Booking, booking_id).cancel_reason == "消防检查"


def test_a_cancelled_booking_cannot_be_cancelled_again(app, make):
    p = place(make)
    booking_id = book(app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 0))
    act(app, ops.cancel_booking, booking_id, actor=p.member)
    assert refused(app, ops.cancel_booking, booking_id, actor=p.member).code == "booking_cancelled"


def test_a_booking_that_has_begun_cannot_be_cancelled(app, make):
    p = place(make)
    booking_id = book(app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 0))
    err = refused(app, ops.cancel_booking, booking_id, actor=p.member, when=at(2027, 3, 2, 10, 15))
    assert err.code == "booking_begun"


def test_an_events_booking_is_cancelled_only_through_the_event(app, make):
    p = place(make)
    booking_id = make_event_booking(app, make, p, NOW + timedelta(days=3))
    err = refused(app, ops.cancel_booking, booking_id, actor=p.staff, reason="换场地")
    assert err.code == "booking_of_event"
