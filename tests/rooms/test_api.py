"""/api/v1/rooms and /api/v1/bookings: staff make a unit bookable and change its terms;
`POST /bookings` → 201, or 409 room_taken naming the booking in the way; a room's bookings
show another team's as taken only; lists, one booking, cancelling."""

from __future__ import annotations

import time_machine

from opc.rooms.models import Booking
from tests.rooms.helpers import NOW, at, book, count, error_of, place


def _body(p, start, end, **kw):
    return {
        "unit_id": p.room.unit_id,
        "team_id": p.team.id,
        "starts_at": start,
        "ends_at": end,
        **kw,
    }


@time_machine.travel(NOW, tick=False)
def test_book_then_the_same_time_again_is_room_taken(app, make, api):
    p = place(make)
    client = api(p.member)
    made = client.post(
        "/bookings", json=_body(p, "2027-03-02T10:00+08:00", "2027-03-02T11:00+08:00", title="会")
    )
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert (body["team_id"], body["starts_at"], body["charge_yuan"], body["status"]) == (
        p.team.id, "2027-03-02T10:00:00+08:00", "0.00", "confirmed",
    )  # fmt: skip
    again = client.post("/bookings", json=_body(p, "2027-03-02T02:30Z", "2027-03-02T03:30Z"))
    assert again.status_code == 409
    error = error_of(again)
    assert error["code"] == "room_taken" and "10:00" in error["message"]
    assert error["conflict"]["booking_id"] == body["id"]
    assert count(app, Booking) == 1
    assert client.get(f"/bookings/{body['id']}").get_json()["title"] == "会"


@time_machine.travel(NOW, tick=False)
def test_refusals_answer_their_codes(app, make, api):
    p = place(make, rate_fen_per_hour=None, free_hours_per_month=1)
    client = api(p.member)
    cases = [
        (("2027-03-02T08:00+08:00", "2027-03-02T09:00+08:00"), 409, "outside_opening_hours"),
        (("2027-02-28T10:00+08:00", "2027-02-28T11:00+08:00"), 409, "booking_in_past"),
        (("2027-03-02T11:00+08:00", "2027-03-02T10:00+08:00"), 422, "invalid_fields"),
        (("2027-03-02T10:10+08:00", "2027-03-02T11:00+08:00"), 422, "invalid_fields"),
        (("2027-03-02T10:00+08:00", "2027-03-02T12:00+08:00"), 409, "quota_exceeded"),
        (("2027-03-02T10:00", "2027-03-02T11:00"), 422, "invalid_fields"),  # no offset
    ]
    for (start, end), status, code in cases:
        answer = client.post("/bookings", json=_body(p, start, end))
        assert (answer.status_code, error_of(answer)["code"]) == (status, code), (start, end)
    assert count(app, Booking) == 0


@time_machine.travel(NOW, tick=False)
def test_a_member_cancels_theirs_but_not_another_teams(app, make, api):
    p = place(make)
    theirs = book(app, p, at(2027, 3, 2, 10, 0), at(2027, 3, 2, 11, 0))
    stranger = make.user("member", team=make.team(p.park, status="resident"))
    assert api(stranger).post(f"/bookings/{theirs}/cancel", json={}).status_code == 404
    assert api(stranger).get(f"/bookings/{theirs}").status_code == 404
    staff = api(p.staff).post(f"/bookings/{theirs}/cancel", json={})
    assert staff.status_code == 422
    done = api(p.member).post(f"/bookings/{theirs}/cancel", json={})
    assert done.status_code == 200 and done.get_json()["status"] == "cancelled"
    again = api(p.member).post(f"/bookings/{theirs}/cancel", json={})
    assert error_of(again)["code"] == "booking_cancelled"


@time_machine.travel(NOW, tick=False)
def test_a_rooms_bookings_show_another_teams_as_taken(app, make, api):
    p = place(make)
    other = make.team(p.park, status="resident")
    book(
        app,
        p,
        at(2027, 3, 2, 10, 0),
        at(2027, 3, 2, 11, 0),
        actor=p.staff,
        team_id=other.id,
        title="秘密",
    )
    mine = book(app, p, at(2027, 3, 2, 12, 0), at(2027, 3, 2, 13, 0))
    listed = (
        api(p.member).get(f"/rooms/{p.room.id}/bookings?from=2027-03-01&to=2027-03-07").get_json()
    )
    assert [(i["booking_id"], i["team_id"], i["title"]) for i in listed["items"]] == [
        (None, None, ""),
        (mine, p.team.id, ""),
    ]
    staff = (
        api(p.staff).get(f"/rooms/{p.room.id}/bookings?from=2027-03-02&to=2027-03-02").get_json()
    )
    assert [i["title"] for i in staff["items"]] == ["秘密", ""]
    reversed_ = api(p.staff).get(f"/rooms/{p.room.id}/bookings?from=2027-03-05&to=2027-03-01")
    assert reversed_.status_code == 422
    own = api(p.member).get("/bookings").get_json()
    assert [i["id"] for i in own["items"]] == [mine]
    days = (
        api(p.staff)
        .get(f"/bookings?unit_id={p.room.unit_id}&from=2027-03-02&to=2027-03-02")
        .get_json()
    )
    assert days["total"] == 2
    assert api(p.staff).get("/bookings?from=2027-03-03").get_json()["total"] == 0


def test_staff_make_a_unit_bookable_and_patch_its_terms(app, make, api):
    park = make.park()
    staff = api(make.user("staff", parks=[park]))
    unit = make.unit(park, kind="shared_room")
    made = staff.post(
        "/rooms",
        json={"unit_id": unit.id, "opens_minute": 540, "closes_minute": 1080, "slot_minutes": 60,
              "free_hours_per_month": 5, "rate_yuan_per_hour": "80.50"},
    )  # fmt: skip
    assert made.status_code == 201, made.get_json()
    room = made.get_json()
    assert (room["rate_yuan_per_hour"], room["bookable_by"], room["weekdays"]) == (
        "80.50",
        "residents",
        127,
    )
    off_grid = staff.patch(f"/rooms/{room['id']}", json={"closes_minute": 1050})
    assert off_grid.status_code == 422 and "closes_minute" in error_of(off_grid)["fields"]
    changed = staff.patch(
        f"/rooms/{room['id']}", json={"rate_yuan_per_hour": None, "active": False}
    )
    assert changed.status_code == 200
    assert (changed.get_json()["rate_yuan_per_hour"], changed.get_json()["active"]) == (None, False)
    member = make.user("member", team=make.team(park, status="resident"))
    assert (
        api(member)
        .post("/rooms", json={"unit_id": unit.id, "opens_minute": 540, "closes_minute": 1080})
        .status_code
        == 403
    )
    assert [r["id"] for r in api(member).get("/rooms").get_json()["items"]] == [room["id"]]
