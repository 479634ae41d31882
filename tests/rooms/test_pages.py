"""The rooms pages: the park's rooms with "free now"; a room's week (another team's booking
taken, an event's by its title, staff see the team); the booking form (a refusal keeps the
input and shows the 409's message); the member's bookings with the free hours used and
cancelling; staff cancel with a reason; the room's terms; the team page's card."""

from __future__ import annotations

import time_machine

from opc.rooms.models import Booking, Room
from opc.rooms.operations import bookings as ops
from tests.conftest import login
from tests.rooms.helpers import (
    NOW,
    act,
    at,
    book,
    count,
    make_event_booking,
    one,
    place,
    post_form,
    rows,
    text,
)


def test_the_rooms_list_says_which_room_is_free_now_and_until_when(app, make, client):
    p = place(make)
    busy = make.room(p.park)
    book(app, p, at(2027, 3, 1, 10, 0), at(2027, 3, 1, 12, 0))  # the first room, from 10:00
    act(app, ops.book, actor=p.member, unit_id=busy.unit_id, team_id=p.team.id,
        starts_at=at(2027, 3, 1, 9, 0), ends_at=at(2027, 3, 1, 11, 0))  # fmt: skip
    with time_machine.travel(at(2027, 3, 1, 9, 15), tick=False):
        login(client, p.member.email)
        page = text(client.get("/rooms"))
    assert f'data-room="{p.room.id}" data-free="yes"' in page
    assert "1 Mar 2027, 10:00" in page  # free until the booking starts
    assert f'data-room="{busy.id}" data-free="no"' in page
    assert "1 Mar 2027, 11:00" in page  # its next free slot


def test_the_week_shows_others_as_taken_and_staff_the_team(app, make, client):
    p = place(make)
    other = make.team(p.park, status="resident", name_zh="邻居团队")
    book(app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 0), actor=p.staff, team_id=other.id)
    book(app, p, at(2027, 3, 3, 10, 0), at(2027, 3, 3, 11, 0), title="我们的会")
    make_event_booking(app, make, p, at(2027, 3, 4, 14, 0))
    event_title = rows(app, Booking, Booking.event_id.is_not(None))[0].title
    with time_machine.travel(NOW, tick=False):
        login(client, p.member.email)
        member_view = text(client.get(f"/rooms/{p.room.id}?week=2027-03-01"))
        desk = app.test_client()
        login(desk, p.staff.email)
        staff_view = text(desk.get(f"/rooms/{p.room.id}?week=2027-03-03"))
    assert "邻居团队" not in member_view and "Taken" in member_view
    assert "我们的会" in member_view and event_title in member_view
    assert "邻居团队" in staff_view
    assert "2027-03-08" in member_view  # next week's link


def test_the_booking_form_books_and_keeps_input_when_refused(app, make, client):
    p = place(make)
    book(app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 0), actor=p.staff, team_id=None)
    url = f"/rooms/{p.room.id}/book"
    form = {"day": "2027-03-02", "start": "10:30", "end": "11:30", "title": "面试"}
    with time_machine.travel(NOW, tick=False):
        login(client, p.member.email)
        refused = post_form(client, url, form, page=f"/rooms/{p.room.id}")
        assert refused.status_code == 422
        page = text(refused)
        assert "10:00" in page and "11:00" in page  # the booking in the way
        assert 'value="10:30"' in page and 'value="面试"' in page
        outside = post_form(
            client, url, {**form, "start": "21:00", "end": "21:30"}, page=f"/rooms/{p.room.id}"
        )
        assert outside.status_code == 422
        done = post_form(
            client, url, {**form, "start": "11:00", "end": "12:00"}, page=f"/rooms/{p.room.id}"
        )
        assert done.status_code == 302
    assert count(app, Booking) == 2


def test_my_bookings_show_the_quota_used_and_cancel(app, make, client):
    p = place(make)
    first = book(app, p, at(2027, 3, 2, 9, 0), at(2027, 3, 2, 12, 30))
    with time_machine.travel(NOW, tick=False):
        login(client, p.member.email)
        page = text(client.get("/rooms/bookings"))
        assert "3.5 of 10 free hours" in page
        done = post_form(client, f"/rooms/bookings/{first}/cancel", {}, page="/rooms/bookings")
        assert done.status_code == 302
    assert one(app, Booking, first).status == "cancelled"


def test_a_member_cannot_open_another_teams_booking(app, make, client):
    p = place(make)
    theirs = book(app, p, at(2027, 3, 2, 9, 0), at(2027, 3, 2, 10, 0))
    stranger = make.user("member", team=make.team(p.park, status="resident"))
    with time_machine.travel(NOW, tick=False):
        login(client, stranger.email)
        assert client.get(f"/rooms/bookings/{theirs}").status_code == 404
        login(client, p.member.email)
        token_page = f"/rooms/bookings/{theirs}"
        login(client, stranger.email)
        refused = post_form(client, f"/rooms/bookings/{theirs}/cancel", {}, page="/rooms/bookings")
        assert refused.status_code == 404, token_page
    assert one(app, Booking, theirs).status == "confirmed"


def test_staff_cancel_with_a_reason(app, make, client):
    p = place(make)
    booking_id = book(app, p, at(2027, 3, 2, 9, 0), at(2027, 3, 2, 10, 0))
    url = f"/rooms/bookings/{booking_id}"
    with time_machine.travel(NOW, tick=False):
        login(client, p.staff.email)
        refused = post_form(client, url + "/cancel", {"reason": ""}, page=url)
        assert refused.status_code == 422
        done = post_form(client, url + "/cancel", {"reason": "消防演习"}, page=url)
        assert done.status_code == 302
    assert one(app, Booking, booking_id).cancel_reason == "消防演习"


def test_staff_make_a_unit_bookable_and_change_its_terms(app, make, client):
    park = make.park()
    staff = make.user("staff", parks=[park])
    unit = make.unit(park, kind="shared_room", code="M101")
    url = f"/rooms/units/{unit.id}/settings"
    form = {
        "opens_minute": "08:00", "closes_minute": "20:00", "weekdays": ["0", "1", "2", "3", "4"],
        "slot_minutes": "60", "bookable_by": "residents", "free_hours_per_month": "8",
        "rate_yuan_per_hour": "150.00", "active": "y",
    }  # fmt: skip
    with time_machine.travel(NOW, tick=False):
        login(client, staff.email)
        assert "M101" in text(client.get("/rooms"))
        bad = post_form(client, url, {**form, "closes_minute": "20:30"})
        assert bad.status_code == 422
        assert post_form(client, url, form).status_code == 302
    (room,) = rows(app, Room)
    assert (room.opens_minute, room.closes_minute, room.weekdays, room.slot_minutes) == (
        480,
        1200,
        0b0011111,
        60,
    )
    assert (room.free_hours_per_month, room.rate_fen_per_hour, room.active) == (8, 15_000, True)


def test_the_team_page_shows_its_upcoming_bookings_and_the_nav_has_rooms(app, make, client):
    p = place(make)
    book(app, p, at(2027, 3, 2, 9, 0), at(2027, 3, 2, 10, 0), title="季度复盘")
    with time_machine.travel(NOW, tick=False):
        login(client, p.member.email)
        home = text(client.get("/rooms"))
        assert 'href="/rooms"' in home
        team_page = text(client.get(f"/teams/{p.team.id}"))
    assert "季度复盘" in team_page
