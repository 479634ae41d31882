"""/api/v1/events: the contract's shapes, each refusal's status and code, nothing written
when refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from opc.core.db import utcnow
from opc.events.models import Event, Registration
from tests.events.core_helpers import count, error_of, one, rows, table_counts


@pytest.fixture
def park_people(make):
    park = make.park()
    team = make.team(park, status="resident")
    return park, make.user("staff", parks=[park]), make.user("member", team=team, name="李四")


def _start(days=10):
    return (utcnow() + timedelta(days=days)).replace(microsecond=0)


def _body(park, **kw):
    starts = _start()
    body = {
        "park_id": park.id,
        "title": "AIGC 影视论坛",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "capacity": 2,
        "public": True,
    }
    body.update(kw)
    return body


def test_the_contracts_short_form_creates_an_event(api, park_people):
    park, staff, _member = park_people
    response = api(staff).post("/events", json=_body(park))
    assert response.status_code == 201, response.get_json()
    out = response.get_json()
    assert (out["title"], out["title_zh"], out["kind"], out["status"]) == (
        "AIGC 影视论坛",
        "AIGC 影视论坛",
        "forum",
        "scheduled",
    )
    assert out["starts_at"].endswith("+08:00") and out["places_left"] == 2
    assert out["registration_open"] is True and out["waitlisted_count"] == 0
    assert out["registration_closes_at"] == out["starts_at"]
    got = api(staff).get(f"/events/{out['id']}").get_json()
    assert got == out


def test_registrations_are_confirmed_then_waitlisted_and_cancel_promotes(api, park_people):
    park, staff, member = park_people
    event_id = api(staff).post("/events", json=_body(park, capacity=1)).get_json()["id"]
    mine = api(member).post(
        f"/events/{event_id}/registrations", json={"name": "x", "email": "x@y.cn"}
    )
    assert mine.status_code == 201, mine.get_json()
    mine = mine.get_json()
    assert (mine["status"], mine["user_id"], mine["name"]) == ("confirmed", member.id, "李四")
    assert "secret" not in mine
    guest = (
        api(staff)
        .post(f"/events/{event_id}/registrations", json={"name": "来宾", "email": "Guest@X.cn"})
        .get_json()
    )
    assert (guest["status"], guest["email"], guest["user_id"]) == ("waitlisted", "guest@x.cn", None)
    detail = api(member).get(f"/events/{event_id}").get_json()
    assert (detail["confirmed_count"], detail["places_left"], detail["waitlisted_count"]) == (
        1,
        0,
        1,
    )
    again = api(staff).post(
        f"/events/{event_id}/registrations", json={"name": "B", "email": "guest@x.cn"}
    )
    assert again.status_code == 409 and error_of(again)["code"] == "already_registered"
    cancelled = api(member).post(f"/events/{event_id}/registrations/{mine['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    listed = api(staff).get(f"/events/{event_id}/registrations").get_json()
    assert [(r["id"], r["status"]) for r in listed["items"]] == [
        (mine["id"], "cancelled"),
        (guest["id"], "confirmed"),
    ]
    only = api(staff).get(f"/events/{event_id}/registrations?status=confirmed").get_json()
    assert only["total"] == 1


def test_offers_are_accepted_through_the_api(api, park_people):
    park, staff, member = park_people
    event_id = (
        api(staff)
        .post("/events", json=_body(park, capacity=1, waitlist_mode="offer", offer_hours=3))
        .get_json()["id"]
    )
    first = api(staff).post(
        f"/events/{event_id}/registrations", json={"name": "A", "email": "a@x.cn"}
    )
    mine = api(member).post(f"/events/{event_id}/registrations", json={}).get_json()
    assert mine["status"] == "waitlisted"
    api(staff).post(f"/events/{event_id}/registrations/{first.get_json()['id']}/cancel")
    offered = api(member).get(f"/events/{event_id}").get_json()
    assert offered["offered_count"] == 1
    accepted = api(member).post(f"/events/{event_id}/registrations/{mine['id']}/accept")
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "confirmed"
    twice = api(member).post(f"/events/{event_id}/registrations/{mine['id']}/accept")
    assert twice.status_code == 409 and error_of(twice)["code"] == "no_offer"


@pytest.mark.parametrize(
    ("changes", "status", "where"),
    [
        ({"title": ""}, 422, "title"),
        ({"title": None, "title_zh": None}, 422, "title_zh"),
        ({"capacity": 0}, 422, "capacity"),
        ({"capacity": 100_001}, 422, "capacity"),
        ({"kind": "party"}, 422, "kind"),
        ({"starts_at": "2030-01-01 09:00"}, 422, "starts_at"),
        ({"starts_at": "2030-01-01T09:00"}, 422, "starts_at"),
        ({"ends_at": _start(9).isoformat()}, 422, "ends_at"),
        ({"registration_closes_at": _start(11).isoformat()}, 422, "registration_closes_at"),
        ({"venue_text": "外面", "venue_unit_id": 1}, 422, None),
        ({"capacity": "2"}, 400, None),
        ({"park_id": 2**31 - 1}, 404, None),
        ({"extra": 1}, 422, "extra"),
    ],
)
def test_bad_events_are_refused_writing_nothing(app, api, park_people, changes, status, where):
    park, staff, _member = park_people
    body = {k: v for k, v in _body(park, **changes).items() if v is not None}
    client = api(staff)
    before = table_counts(app)
    response = client.post("/events", json=body)
    assert response.status_code == status, response.get_json()
    error = error_of(response)
    if where:
        assert where in error.get("fields", {}), error
    assert table_counts(app) == before


def test_only_staff_create_and_members_see_only_their_parks_events(api, make, park_people):
    park, staff, member = park_people
    assert api(member).post("/events", json=_body(park)).status_code == 403
    other_staff = make.user("staff", parks=[make.park()])
    assert api(other_staff).post("/events", json=_body(park)).status_code == 404
    event_id = api(staff).post("/events", json=_body(park, public=False)).get_json()["id"]
    outsider = make.user("member", team=make.team(make.park(), status="resident"))
    assert api(outsider).get(f"/events/{event_id}").status_code == 404
    refused = api(outsider).post(f"/events/{event_id}/registrations", json={})
    assert refused.status_code == 404
    assert api(member).get(f"/events/{event_id}/registrations").status_code == 403
    assert api(staff, scope="read").post("/events", json=_body(park)).status_code == 403


def test_the_list_filters_by_park_and_local_days(api, make, park_people):
    park, staff, member = park_people
    soon = _start(3).replace(hour=2, minute=0, second=0)  # 10:00 in Shanghai
    later = soon + timedelta(days=5)
    for starts in (soon, later):
        body = _body(
            park, starts_at=starts.isoformat(), ends_at=(starts + timedelta(hours=1)).isoformat()
        )
        assert api(staff).post("/events", json=body).status_code == 201
    make.event(make.park())  # another park's: never listed
    listed = api(member).get(f"/events?park_id={park.id}").get_json()
    assert listed["total"] == 2
    day = (soon + timedelta(hours=8)).date().isoformat()
    one_day = api(member).get(f"/events?park_id={park.id}&from={day}&to={day}").get_json()
    assert [e["starts_at"][:10] for e in one_day["items"]] == [day]
    assert api(member).get("/events?from=2026-13-01").status_code == 422
    assert api(member).get("/events?when=today").status_code == 422


def test_patch_changes_capacity_and_refuses_below_the_places_taken(app, api, park_people):
    park, staff, member = park_people
    event_id = api(staff).post("/events", json=_body(park, capacity=1)).get_json()["id"]
    api(member).post(f"/events/{event_id}/registrations", json={})
    waiting = (
        api(staff)
        .post(f"/events/{event_id}/registrations", json={"name": "G", "email": "g@x.cn"})
        .get_json()
    )
    client, member_client = api(staff), api(member)
    assert client.patch(f"/events/{event_id}", json={"capacity": 0}).status_code == 422
    raised = client.patch(f"/events/{event_id}", json={"capacity": 2, "title": "新标题"})
    assert raised.status_code == 200 and raised.get_json()["title_zh"] == "新标题"
    assert one(app, Registration, waiting["id"]).status == "confirmed"
    before = table_counts(app)
    taken = client.patch(f"/events/{event_id}", json={"capacity": 1})
    assert taken.status_code == 409
    error = error_of(taken)
    assert error["code"] == "capacity_below_confirmed" and error["conflict"]["confirmed_count"] == 2
    assert client.patch(f"/events/{event_id}", json={"capacity": None}).status_code == 422
    assert member_client.patch(f"/events/{event_id}", json={"capacity": 5}).status_code == 403
    assert table_counts(app) == before
    assert one(app, Event, event_id).capacity == 2


def test_cancel_event_cancels_its_registrations(app, api, park_people):
    park, staff, member = park_people
    event_id = api(staff).post("/events", json=_body(park)).get_json()["id"]
    api(member).post(f"/events/{event_id}/registrations", json={})
    response = api(staff).post(f"/events/{event_id}/cancel", json={"reason": "场地检修"})
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert [r.status for r in rows(app, Registration)] == ["cancelled"]
    again = api(staff).post(f"/events/{event_id}/cancel", json={})
    assert again.status_code == 409 and error_of(again)["code"] == "event_cancelled"
    late = api(member).post(f"/events/{event_id}/registrations", json={})
    assert late.status_code == 409 and error_of(late)["code"] == "registration_closed"


def test_a_registration_of_another_event_or_person_is_not_found(app, api, make, park_people):
    park, staff, member = park_people
    a = api(staff).post("/events", json=_body(park)).get_json()["id"]
    b = api(staff).post("/events", json=_body(park)).get_json()["id"]
    guest = api(staff).post(f"/events/{a}/registrations", json={"name": "G", "email": "g@x.cn"})
    rid = guest.get_json()["id"]
    assert api(staff).post(f"/events/{b}/registrations/{rid}/cancel").status_code == 404
    assert api(member).post(f"/events/{a}/registrations/{rid}/cancel").status_code == 404
    assert count(app, Registration, Registration.status == "cancelled") == 0
