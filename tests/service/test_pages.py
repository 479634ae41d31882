"""The service pages: a member opens a request and sees their team's; staff work the queue
(filters in the URL, SLA badges, a fixed number of queries per page) and the request's
page; internal notes are marked for staff and absent for members; the dashboard."""

from __future__ import annotations

import time_machine

from opc.service.models import ServiceRequest
from opc.service.operations import requests as ops
from opc.service.operations import team as team_ops
from tests.conftest import login
from tests.service import helpers as h
from tests.service.helpers import at

NOW = at(2026, 3, 3, 9, 0)


def test_a_member_opens_a_request_from_the_form(app, make, client):
    d = h.desk(make)
    with time_machine.travel(NOW, tick=False):
        login(client, d.member.email)
        refused = h.post_form(client, "/service/requests/new", {"category": "other", "title": ""})
        assert refused.status_code == 422
        sent = h.post_form(
            client,
            "/service/requests/new",
            {"category": "facilities", "title": "空调坏了", "description": "3 楼"},
        )
        assert sent.status_code == 302
        mine = h.text(client.get("/service/requests"))
    (r,) = h.rows(app, ServiceRequest)
    assert (r.title, r.category, r.team_id, r.opened_by_id) == (
        "空调坏了",
        "facilities",
        d.team.id,
        d.member.id,
    )
    assert sent.headers["Location"].endswith(f"/service/requests/{r.id}")
    assert "空调坏了" in mine and 'data-sla="on_time"' in mine


def test_internal_notes_are_marked_for_staff_and_absent_for_members(app, make, client):
    d = h.desk(make)
    r = h.opened(app, d, NOW)
    h.act(app, NOW, ops.comment, r.id, actor=d.staff, body="内部备注XYZ", internal=True)
    h.act(app, NOW, ops.comment, r.id, actor=d.staff, body="公开回复ABC")
    url = f"/service/requests/{r.id}"
    login(client, d.staff.email)
    staff_page = h.text(client.get(url))
    assert "内部备注XYZ" in staff_page and 'data-internal="1"' in staff_page
    client = app.test_client()
    login(client, d.member.email)
    member_page = client.get(url)
    assert member_page.status_code == 200
    body = h.text(member_page)
    assert "内部备注XYZ" not in body and "公开回复ABC" in body and "data-internal" not in body
    # The member's comment form offers no internal note.
    assert 'name="internal"' not in body


def test_others_get_404(app, make, client):
    d = h.desk(make)
    r = h.opened(app, d, NOW)
    outsider = make.user("member", team=make.team(d.park, status="resident"))
    login(client, outsider.email)
    assert client.get(f"/service/requests/{r.id}").status_code == 404
    client = app.test_client()
    elsewhere = make.user("staff", parks=[make.park()])
    login(client, elsewhere.email)
    assert client.get(f"/service/requests/{r.id}").status_code == 404
    assert f'data-request="{r.id}"' not in h.text(client.get("/service/queue"))


def test_staff_resolve_from_the_page_and_the_team_rates_it(app, make, client):
    d = h.desk(make)
    r = h.opened(app, d, NOW)
    url = f"/service/requests/{r.id}"
    with time_machine.travel(NOW, tick=False):
        login(client, d.staff.email)
        done = h.post_form(client, f"{url}/resolve", {"note": "已处理"}, page=url)
    assert done.status_code == 302
    with time_machine.travel(NOW, tick=False):
        client = app.test_client()
        login(client, d.member.email)
        wrong = h.post_form(client, f"{url}/rate", {"rating": "9"}, page=url)
        rated = h.post_form(client, f"{url}/rate", {"rating": "5", "comment": "好"}, page=url)
        page = h.text(client.get(url))
    assert wrong.status_code == 422 and rated.status_code == 302
    assert 'data-rating="5"' in page and 'data-action="rate"' not in page
    assert h.one(app, ServiceRequest, r.id).rating == 5


def test_the_queue_filters_in_the_url_with_a_fixed_number_of_queries(
    app, make, client, count_queries
):
    d = h.desk(make)
    late = h.opened(app, d, at(2026, 3, 2, 9, 0), title="迟了")
    h.opened(app, d, NOW, title="刚开")
    with time_machine.travel(NOW, tick=False):
        login(client, d.staff.email)
        page = h.text(client.get("/service/queue?sla=breached"))
        with count_queries() as few:
            client.get("/service/queue")
    assert f'data-request="{late.id}"' in page and "刚开" not in page
    assert 'data-sla="breached"' in page
    for n in range(20):
        h.opened(app, d, NOW, title=f"请求{n}", category="financing")
    with time_machine.travel(NOW, tick=False), count_queries() as many:
        listed = h.text(client.get("/service/queue?category=financing&sort=oldest"))
    assert len(many) == len(few)
    assert listed.count("data-request=") == 20


def test_the_dashboard_shows_volumes_times_and_ratings(app, make, client):
    d = h.desk(make)
    r = h.opened(app, d, NOW, category="financing")
    h.act(app, at(2026, 3, 3, 10, 0), ops.comment, r.id, actor=d.staff, body="在看")
    h.act(app, at(2026, 3, 3, 15, 30), ops.resolve, r.id, actor=d.staff)
    h.act(app, at(2026, 3, 3, 16, 0), team_ops.rate, r.id, actor=d.member, rating=4)
    with time_machine.travel(at(2026, 3, 4, 9, 0), tick=False):
        login(client, d.staff.email)
        page = h.text(client.get("/service/dashboard"))
    row = page.split('data-key="financing"')[1].split("</tr>")[0]
    # 1 opened, 1 resolved; 1.0 working hour to respond; 09:00–15:30 less lunch: 5.0 hours.
    cells = [c.split("<")[0] for c in row.split('class="num">')[1:]]
    assert cells[:4] == ["1", "1", "1.0", "5.0"] and cells[4].startswith("4.0")
    assert 'data-month="2026-03"' in page


def test_a_year_the_calendar_does_not_know_is_no_error_on_the_pages(app, make, client):
    d = h.desk(make)
    r = h.opened(app, d, NOW)
    with time_machine.travel(at(2099, 3, 3, 9, 0), tick=False):
        login(client, d.staff.email)
        queue = client.get("/service/queue")
        page = client.get(f"/service/requests/{r.id}")
    assert queue.status_code == 200 and page.status_code == 200
    # Past its due instants the request is breached, whatever the calendar can count.
    assert 'data-sla="breached"' in h.text(queue) and 'data-sla="breached"' in h.text(page)
