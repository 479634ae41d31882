"""/api/v1/service-requests: the contract's shape, the rules' refusals (each writing
nothing), who sees what (404 beyond), and internal notes never reaching the team."""

from __future__ import annotations

import json

import time_machine

from opc.notifications.models import Notification
from opc.service.models import ServiceEvent, ServiceRequest
from tests.service import helpers as h
from tests.service.helpers import at

NOW = at(2026, 3, 3, 9, 0)  # a Tuesday


def _open(api, d, **kw):
    body = {
        "team_id": d.team.id,
        "category": "ip_copyright",
        "title": "软著登记",
        "description": "…",
    }
    body.update(kw)
    return api(d.member).post("/service-requests", json=body)


def test_a_member_opens_a_request_with_its_first_response_due(app, make, api):
    d = h.desk(make)
    with time_machine.travel(NOW, tick=False):
        response = _open(api, d)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "open" and body["team_id"] == d.team.id
    # 240 working minutes from 09:00: 09:00–12:00, then 13:30–14:30.
    assert body["first_response_due"] == "2026-03-03T06:30:00Z"
    assert body["sla"]["state"] == "on_time"
    assert [e["to_status"] for e in body["timeline"]] == ["open"]
    assert h.count(app, Notification, Notification.user_id == d.staff.id) == 1


def test_bad_input_is_refused_and_writes_nothing(app, make, api):
    d = h.desk(make)
    other = h.desk(make)
    with time_machine.travel(NOW, tick=False):
        unknown = _open(api, d, category="astrology")
        untitled = _open(api, d, title="")
        foreign = _open(api, d, team_id=other.team.id)
        staff = api(d.staff).post(
            "/service-requests", json={"team_id": d.team.id, "category": "other", "title": "x"}
        )
    assert unknown.status_code == 422 and "category" in h.error_of(unknown)["fields"]
    assert untitled.status_code == 422
    assert foreign.status_code == 404  # another team is not the member's to see
    assert staff.status_code == 403  # staff answer requests; teams open them
    assert h.count(app, ServiceRequest) == 0 and h.count(app, ServiceEvent) == 0


def test_who_sees_a_request(app, make, api):
    d = h.desk(make)
    r = h.opened(app, d, NOW)
    outsider = make.user("member", team=make.team(d.park, status="resident"))
    elsewhere = make.user("staff", parks=[make.park()])
    url = f"/service-requests/{r.id}"
    with time_machine.travel(NOW, tick=False):
        assert api(d.member).get(url).status_code == 200
        assert api(d.staff).get(url).status_code == 200
        assert api(outsider).get(url).status_code == 404
        assert api(elsewhere).get(url).status_code == 404
        assert api(elsewhere).post(f"{url}/resolve", json={}).status_code == 404
        assert api(outsider).post(f"{url}/comments", json={"body": "hi"}).status_code == 404
        assert api(outsider).get("/service-requests").get_json()["total"] == 0
        assert api(elsewhere).get("/service-requests").get_json()["total"] == 0
    assert h.count(app, ServiceEvent) == 1


def test_internal_notes_never_reach_the_team(app, make, api):
    d = h.desk(make)
    r = h.opened(app, d, NOW)
    url = f"/service-requests/{r.id}"
    secret = "内部：这家公司材料可疑"
    with time_machine.travel(NOW, tick=False):
        noted = api(d.staff).post(f"{url}/comments", json={"body": secret, "internal": True})
        assert noted.status_code == 200
        assert any(e["internal"] and e["body"] == secret for e in noted.get_json()["timeline"])
        said = api(d.staff).post(f"{url}/comments", json={"body": "我们在处理"})
        assert said.status_code == 200
        seen = json.dumps(api(d.member).get(url).get_json(), ensure_ascii=False)
        listed = json.dumps(api(d.member).get("/service-requests").get_json(), ensure_ascii=False)
        forged = api(d.member).post(f"{url}/comments", json={"body": "x", "internal": True})
    assert secret not in seen and secret not in listed and "我们在处理" in seen
    assert forged.status_code == 403
    notes = h.rows(app, Notification, Notification.user_id == d.member.id)
    assert len(notes) == 1 and secret not in str(notes[0].params)
    # The note alone did not count as the first response; the public comment did.
    assert h.one(app, ServiceRequest, r.id).status == "in_progress"


def test_invalid_transitions_answer_409_and_change_nothing(app, make, api):
    d = h.desk(make)
    r = h.opened(app, d, NOW)
    url = f"/service-requests/{r.id}"
    with time_machine.travel(NOW, tick=False):
        confirm = api(d.member).post(f"{url}/confirm")
        reopen = api(d.member).post(f"{url}/reopen", json={})
        assert api(d.staff).post(f"{url}/resolve", json={}).status_code == 200
        again = api(d.staff).post(f"{url}/wait", json={"question": "?"})
    for refused in (confirm, reopen, again):
        assert refused.status_code == 409 and h.error_of(refused)["code"] == "invalid_transition"
    assert h.one(app, ServiceRequest, r.id).status == "resolved"


def test_rating_once_and_only_after_resolution(app, make, api):
    d = h.desk(make)
    r = h.opened(app, d, NOW)
    url = f"/service-requests/{r.id}"
    with time_machine.travel(NOW, tick=False):
        early = api(d.member).post(f"{url}/rate", json={"rating": 5})
        api(d.staff).post(f"{url}/resolve", json={"note": "ok"})
        low = api(d.member).post(f"{url}/rate", json={"rating": 0})
        high = api(d.member).post(f"{url}/rate", json={"rating": 6})
        by_staff = api(d.staff).post(f"{url}/rate", json={"rating": 5})
        rated = api(d.member).post(f"{url}/rate", json={"rating": 4, "comment": "快"})
        twice = api(d.member).post(f"{url}/rate", json={"rating": 1})
    assert early.status_code == 409 and h.error_of(early)["code"] == "not_resolved"
    assert low.status_code == 422 and high.status_code == 422
    assert by_staff.status_code == 403
    assert rated.status_code == 200 and rated.get_json()["rating"] == 4
    assert twice.status_code == 409 and h.error_of(twice)["code"] == "already_rated"
    done = h.one(app, ServiceRequest, r.id)
    assert (done.rating, done.rating_comment) == (4, "快")


def test_reopening_after_the_parks_days_is_refused(app, make, api):
    d = h.desk(make)
    r = h.opened(app, d, NOW)
    url = f"/service-requests/{r.id}"
    with time_machine.travel(NOW, tick=False):
        api(d.staff).post(f"{url}/resolve", json={})
    with time_machine.travel(at(2026, 3, 18, 9, 0), tick=False):  # 15 days later (14 allowed)
        late = api(d.member).post(f"{url}/reopen", json={"reason": "没好"})
    assert late.status_code == 409 and h.error_of(late)["code"] == "reopen_window_passed"
    with time_machine.travel(at(2026, 3, 10, 9, 0), tick=False):
        done = api(d.member).post(f"{url}/reopen", json={"reason": "没好"})
    assert done.status_code == 200 and done.get_json()["status"] == "reopened"
    # The resolution clock starts again from the reopening: three working days.
    assert done.get_json()["resolution_due"] == "2026-03-12T10:00:00Z"


def test_assigning_takes_staff_of_the_park_only(app, make, api):
    d = h.desk(make)
    r = h.opened(app, d, NOW)
    elsewhere = make.user("staff", parks=[make.park()])
    url = f"/service-requests/{r.id}/assign"
    with time_machine.travel(NOW, tick=False):
        wrong = api(d.staff).post(url, json={"assignee_id": elsewhere.id})
        member = api(d.staff).post(url, json={"assignee_id": d.member.id})
        right = api(d.staff).post(url, json={"assignee_id": d.staff.id})
    assert wrong.status_code == 422 and member.status_code == 422
    assert right.status_code == 200 and right.get_json()["assignee_id"] == d.staff.id
    assert right.get_json()["status"] == "assigned"


def test_the_list_filters_by_sla_state(app, make, api):
    d = h.desk(make)
    late = h.opened(app, d, at(2026, 3, 2, 9, 0))  # first response due Monday 14:30
    fresh = h.opened(app, d, NOW)
    with time_machine.travel(NOW, tick=False):
        breached = api(d.staff).get(f"/service-requests?sla=breached&park_id={d.park.id}")
        on_time = api(d.staff).get("/service-requests?sla=on_time")
        bad = api(d.staff).get("/service-requests?sla=late")
    assert [i["id"] for i in breached.get_json()["items"]] == [late.id]
    assert [i["id"] for i in on_time.get_json()["items"]] == [fresh.id]
    assert bad.status_code == 422


def test_the_list_costs_the_same_queries_for_2_or_30_requests(app, make, api, count_queries):
    d = h.desk(make)
    for _ in range(2):
        h.opened(app, d, NOW)
    client = api(d.staff)
    with time_machine.travel(NOW, tick=False):
        client.get("/service-requests")  # the token's first use is recorded once
        with count_queries() as few:
            assert client.get("/service-requests?per_page=200").get_json()["total"] == 2
        for _ in range(28):
            h.opened(app, d, NOW)
        with count_queries() as many:
            assert client.get("/service-requests?per_page=200").get_json()["total"] == 30
    assert len(many) == len(few)
