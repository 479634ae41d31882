"""Issue 11's rules for rooms that the other tests did not pin down: the booking form
refuses a missing or out-of-calendar day on its field (never a 500), the operation refuses
instants outside the calendar, the database alone still answers `room_taken` when the
application's overlap check is bypassed, and odd query strings on the rooms pages answer
a page or a 4xx, never a 500."""

from __future__ import annotations

import pytest
import time_machine

from opc.core.errors import ValidationFailed
from opc.rooms.models import Booking
from opc.rooms.operations import bookings as ops
from opc.rooms.operations import overlap
from tests.conftest import login
from tests.rooms.helpers import NOW, at, count, error_of, place, post_form, refused, text


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "day",
    ["", "2201-01-01", "9999-12-31", "1899-12-31"],
)
def test_the_booking_form_refuses_a_missing_or_far_day_on_its_field(app, make, client, day):
    p = place(make)
    login(client, p.member.email)
    url = f"/rooms/{p.room.id}"
    data = {"start": "09:00", "end": "10:00", "title": "路演彩排"}
    if day:
        data["day"] = day
    response = post_form(client, f"{url}/book", data, page=url)
    assert response.status_code == 422
    body = text(response)
    assert "路演彩排" in body  # the form keeps what was typed
    assert count(app, Booking) == 0


def test_the_operation_refuses_instants_outside_the_calendar(app, make):
    p = place(make)
    err = refused(app, ops.book, actor=p.member, unit_id=p.room.unit_id, team_id=p.team.id,
                  starts_at=at(2201, 1, 3, 9, 0), ends_at=at(2201, 1, 3, 10, 0))  # fmt: skip
    assert isinstance(err, ValidationFailed)
    assert set(err.fields) == {"starts_at", "ends_at"}


@time_machine.travel(NOW, tick=False)
def test_the_database_refuses_an_overlap_the_application_missed(app, make, api, monkeypatch):
    p = place(make)
    other = make.team(p.park, status="resident")
    monkeypatch.setattr(overlap, "conflicting", lambda *a, **kw: None)
    body = {"unit_id": p.room.unit_id, "starts_at": "2027-03-02T10:00+08:00",
            "ends_at": "2027-03-02T11:00+08:00"}  # fmt: skip
    made = api(p.staff).post("/bookings", json={**body, "team_id": p.team.id})
    assert made.status_code == 201, made.get_json()
    again = api(p.staff).post(
        "/bookings",
        json={**body, "team_id": other.id, "starts_at": "2027-03-02T10:30+08:00"},
    )
    assert again.status_code == 409
    assert error_of(again)["code"] == "room_taken"
    assert count(app, Booking) == 1


@time_machine.travel(NOW, tick=False)
def test_odd_query_strings_never_answer_500(app, make, client):
    p = place(make)
    login(client, p.staff.email)
    big = 2**40
    for url in (
        f"/rooms/{p.room.id}?week=garbage",
        f"/rooms/{p.room.id}?week=9999-99-99",
        f"/rooms/{p.room.id}?week=0001-01-01",
        f"/rooms/{p.room.id}?week=2200-12-31",
        f"/rooms/{p.room.id}?week=%00",
        f"/rooms/{big}",
        f"/rooms/bookings/{big}",
        "/rooms?park=abc",
        f"/rooms?park={big}",
        f"/rooms/units/{big}/settings",
        f"/api/v1/rooms/{p.room.id}/bookings?week=garbage",
        "/api/v1/bookings?month=9999-99",
        f"/api/v1/bookings/{big}",
    ):
        assert client.get(url).status_code < 500, url
    login(client, p.member.email)
    for url in ("/rooms/bookings?page=abc", "/rooms/bookings?page=99999999999999999999"):
        assert client.get(url).status_code < 500, url
