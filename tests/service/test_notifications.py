"""Who hears what: the park's staff of a new request, the assignee of the assignment and of
the team's answers and reopenings, the team of what staff tell it (never of a note)."""

from __future__ import annotations

import time_machine

from opc.notifications.models import Notification
from opc.service.models import ServiceRequest
from tests.service import helpers as h
from tests.service.helpers import at

NOW = at(2026, 3, 3, 9, 0)


def _kinds(app, user):
    return [
        n.kind
        for n in h.rows(
            app, Notification, Notification.user_id == user.id, order_by=Notification.id
        )
    ]


def test_each_step_tells_those_concerned(app, make, api):
    d = h.desk(make)
    lead = make.user("staff", parks=[d.park])
    r = h.opened(app, d, NOW)
    url = f"/service-requests/{r.id}"
    with time_machine.travel(NOW, tick=False):
        api(lead).post(f"{url}/triage", json={"category": "financing"})
        api(lead).post(f"{url}/assign", json={"assignee_id": d.staff.id})
        api(d.staff).post(f"{url}/comments", json={"body": "内部", "internal": True})
        api(d.staff).post(f"{url}/wait", json={"question": "缺材料"})
        api(d.member).post(f"{url}/comments", json={"body": "补上了"})
        api(d.staff).post(f"{url}/resolve", json={"note": "好了"})
        api(d.member).post(f"{url}/reopen", json={"reason": "还不行"})
    assert _kinds(app, d.staff) == [
        "service.opened", "service.assigned", "service.answered", "service.reopened",
    ]  # fmt: skip
    assert _kinds(app, lead) == ["service.opened"]  # assigned to another: not told further
    assert _kinds(app, d.member) == ["service.waiting", "service.resolved"]
    done = h.one(app, ServiceRequest, r.id)
    assert (done.category, done.status) == ("financing", "reopened")


def test_triage_is_for_staff_and_refused_with_an_unknown_category(app, make, api):
    d = h.desk(make)
    r = h.opened(app, d, NOW)
    url = f"/service-requests/{r.id}/triage"
    with time_machine.travel(NOW, tick=False):
        member = api(d.member).post(url, json={"category": "financing"})
        unknown = api(d.staff).post(url, json={"category": "fortune"})
        done = api(d.staff).post(url, json={"category": "financing"})
    assert member.status_code == 403 and unknown.status_code == 422
    assert done.status_code == 200 and done.get_json()["status"] == "triaged"
    assert done.get_json()["category"] == "financing"
