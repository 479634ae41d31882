"""Issue 12's rules that the other service tests leave implicit, one test each: late in
December a request whose clock reaches into a year the calendar does not know (2027 for
the package in the venv) is a clear refusal or an "unknown" state, never a crash or a
guess; odd input to the pages answers 4xx, never 500."""

from __future__ import annotations

from datetime import UTC

import time_machine

from opc.extensions import db
from opc.parks.models import Park
from opc.parks.settings.operations import change_settings
from opc.parks.workdays import calendar_of
from opc.parks.workdays.calendar import package_year
from opc.service import figures
from opc.service.models import ServiceEvent, ServiceRequest
from opc.service.operations import requests as ops
from opc.service.sla import sla_of
from tests.conftest import login
from tests.service import helpers as h
from tests.service.helpers import at

LATE_DECEMBER = at(2026, 12, 30, 10, 0)  # a Wednesday; resolution (3 working days) needs 2027


def test_late_in_december_opening_a_request_that_reaches_2027_is_refused_clearly(app, make, client):
    assert package_year(2027) is None
    d = h.desk(make)
    with time_machine.travel(LATE_DECEMBER, tick=False):
        login(client, d.member.email)
        page = h.post_form(
            client,
            "/service/requests/new",
            {"category": "facilities", "title": "门禁卡", "description": "坏了"},
            page="/service/requests/new",
        )
    assert page.status_code == 422  # a refused page form re-renders (house rule)
    body = h.text(page)
    assert "2027" in body and "门禁卡" in body  # the message, and the input kept
    assert h.count(app, ServiceRequest) == 0 and h.count(app, ServiceEvent) == 0


def _waiting_since_before_christmas(app, d):
    r = h.opened(app, d, at(2026, 12, 21, 9, 0))  # Monday; resolution due Wednesday 18:00
    h.act(app, at(2026, 12, 21, 10, 0), ops.ask_team, r.id, actor=d.staff, question="材料?")
    return r


def test_late_in_december_staff_still_resolve_a_request_waiting_on_the_team(app, make):
    # Waited 21–31 Dec: the resolution's due instant, pushed on by the wait, would lie in
    # 2027. Resolving needs no due instant: it is not refused for a year nobody knows.
    d = h.desk(make)
    r = _waiting_since_before_christmas(app, d)
    h.act(app, at(2026, 12, 31, 11, 0), ops.resolve, r.id, actor=d.staff, note="办好了")
    done = h.one(app, ServiceRequest, r.id)
    assert done.status == "resolved" and done.resolved_at == at(2026, 12, 31, 11, 0)
    assert done.waiting_since is None and done.resolution_due is None
    assert done.waited_minutes > 0  # the wait was counted (2026 is known)
    with app.app_context():
        request = db.session.get(ServiceRequest, r.id)
        sla = sla_of(calendar_of(request.park), request, at(2026, 12, 31, 12, 0))
        assert sla.resolution.state == "on_time"  # the clock stood still, well within 1350


def test_resolved_in_an_unknown_year_the_request_is_late_only_if_it_was_before_the_wait(app, make):
    # Resolved on 5 January 2027: the wait itself cannot be counted. The clock stood still
    # from the question on, so the answer is in the minutes before it.
    d = h.desk(make)
    in_time = _waiting_since_before_christmas(app, d)  # asked one working hour in
    late = h.opened(app, d, at(2026, 12, 21, 9, 0))  # due Wednesday 23rd, 18:00
    h.act(app, at(2026, 12, 28, 10, 0), ops.ask_team, late.id, actor=d.staff, question="?")
    for r in (in_time, late):
        h.act(app, at(2027, 1, 5, 10, 0), ops.resolve, r.id, actor=d.staff)
    with app.app_context():
        states = []
        for r in (in_time, late):
            request = db.session.get(ServiceRequest, r.id)
            assert request.status == "resolved" and request.waiting_since is None
            states.append(sla_of(calendar_of(request.park), request, at(2027, 1, 5, 11)))
        assert [s.resolution.state for s in states] == ["on_time", "breached"]
        # The dashboard counts both as resolved, though their minutes cannot be counted.
        by_category, _ = figures.dashboard(request.park, at(2027, 1, 5, 11).astimezone(UTC))
        assert [(f.opened, f.resolved, f.resolution) for f in by_category] == [(2, 2, [])]


def test_late_in_december_the_team_s_answer_is_a_clear_409_and_the_pages_still_show(
    app, make, client
):
    # The team's answer restarts the clock, whose new due instant would lie in 2027: refused
    # with the calendar's message (admins must enter 2027), nothing written, no guess.
    d = h.desk(make)
    r = _waiting_since_before_christmas(app, d)
    with time_machine.travel(at(2026, 12, 31, 11, 0), tick=False):
        login(client, d.member.email)
        answer = h.post_form(
            client,
            f"/service/requests/{r.id}/comment",
            {"body": "附上了"},
            page=f"/service/requests/{r.id}",
        )
        assert answer.status_code in (409, 422) and "2027" in h.text(answer)
        assert "附上了" in h.text(answer)  # the answer is kept in the form
        staff = app.test_client()
        login(staff, d.staff.email)
        queue = staff.get("/service/queue")
        page = staff.get(f"/service/requests/{r.id}")
    assert queue.status_code == 200 and page.status_code == 200
    still = h.one(app, ServiceRequest, r.id)
    assert still.status == "waiting_on_team" and still.waited_minutes == 0
    assert h.count(app, ServiceEvent, ServiceEvent.body == "附上了") == 0


GARBAGE = ["x", "-1", "99999999999999999999", "1%00", "\x00", "é" * 300, "[]", "1e9"]


def test_odd_filters_and_ids_never_500(app, make, client):
    d = h.desk(make)
    h.opened(app, d, at(2026, 3, 3, 9, 0))
    login(client, d.staff.email)
    for value in GARBAGE:
        for path in (
            "/service/queue?park_id={v}&team_id={v}&status={v}&category={v}&sla={v}&sort={v}",
            "/service/queue?page={v}",
            "/service/dashboard?park_id={v}",
            "/directory/?park_id={v}&track={v}&offers={v}&needs={v}&q={v}",
            "/parks/{p}/calendar?year={v}",
            "/parks/{p}/introductions?team_a={v}&team_b={v}&page={v}",
        ):
            url = path.format(v=value, p=d.park.id)
            status = client.get(url).status_code
            assert status < 500, (url, status)
    for path in ("/service/requests/{n}", "/directory/teams/{n}/matches"):
        assert client.get(path.format(n=2**31)).status_code == 404
        assert client.get(path.format(n=10**30)).status_code == 404


def test_a_member_acting_on_another_team_s_resolved_request_finds_nothing(app, make, api):
    d = h.desk(make)
    r = h.opened(app, d, at(2026, 3, 3, 9, 0))
    h.act(app, at(2026, 3, 3, 10, 0), ops.resolve, r.id, actor=d.staff, note="好了")
    outsider = make.user("member", team=make.team(d.park, status="resident"))
    url = f"/service-requests/{r.id}"
    with time_machine.travel(at(2026, 3, 3, 11, 0), tick=False):
        for action, body in (("rate", {"rating": 1}), ("reopen", {}), ("confirm", None)):
            answer = api(outsider).post(f"{url}/{action}", json=body)
            assert answer.status_code == 404, (action, answer.get_json())
    done = h.one(app, ServiceRequest, r.id)
    assert done.status == "resolved" and done.rating is None


def test_the_reopen_window_is_the_park_s_setting(app, make, api):

    d = h.desk(make)
    with app.app_context():
        park = db.session.get(Park, d.park.id)
        change_settings(park, actor=make.user("admin"), values={"service_reopen_days": 3})
    r = h.opened(app, d, at(2026, 3, 3, 9, 0))
    h.act(app, at(2026, 3, 3, 10, 0), ops.resolve, r.id, actor=d.staff)
    url = f"/service-requests/{r.id}/reopen"
    with time_machine.travel(at(2026, 3, 7, 9, 0), tick=False):  # 4 days (14 by default)
        late = api(d.member).post(url, json={"reason": "没好"})
    assert late.status_code == 409 and h.error_of(late)["code"] == "reopen_window_passed"
    assert "3" in h.error_of(late)["message"]
    with time_machine.travel(at(2026, 3, 6, 9, 0), tick=False):
        assert api(d.member).post(url, json={"reason": "没好"}).status_code == 200


def test_late_in_december_reopening_into_2027_is_refused_and_writes_nothing(app, make, api):
    d = h.desk(make)
    r = h.opened(app, d, at(2026, 12, 28, 9, 0))
    h.act(app, at(2026, 12, 28, 10, 0), ops.resolve, r.id, actor=d.staff)
    with time_machine.travel(at(2026, 12, 30, 10, 0), tick=False):
        refused = api(d.member).post(f"/service-requests/{r.id}/reopen", json={"reason": "没好"})
    assert refused.status_code == 409
    assert h.error_of(refused)["code"] == "calendar_year_unknown"
    assert h.one(app, ServiceRequest, r.id).status == "resolved"
