"""SLA arithmetic on China's working calendar: due instants over the Spring Festival holiday
and its adjusted Saturday, the clock standing still while the request waits on the team,
and the states on time / due soon / breached."""

from __future__ import annotations

import pytest

from opc.core.errors import RuleViolation
from opc.extensions import db
from opc.parks.models import Park
from opc.parks.settings.operations import change_settings
from opc.parks.workdays import calendar_of
from opc.service.models import ServiceRequest
from opc.service.operations import requests as ops
from opc.service.sla import sla_of
from tests.service import helpers as h
from tests.service.helpers import at


def test_due_instants_count_working_minutes_over_the_spring_festival(app, make):
    d = h.desk(make)
    # Friday 13 Feb 2026, 16:00. Working day 09:00–12:00, 13:30–18:00 (450 minutes).
    r = h.opened(app, d, at(2026, 2, 13, 16, 0))
    assert (r.response_minutes, r.resolution_minutes) == (240, 1350)
    # 4 h: Friday 16:00–18:00, then Saturday 14 Feb (an adjusted working day, 调休)
    # 09:00–11:00.
    assert r.first_response_due == at(2026, 2, 14, 11, 0)
    # 1350 min: Friday 120 + Saturday 450; 15–23 Feb off (Spring Festival); Tuesday 24 Feb
    # 450; Wednesday 25 Feb 09:00–12:00 (180) and 13:30–16:00 (150).
    assert r.resolution_due == at(2026, 2, 25, 16, 0)


def test_the_clock_stands_still_while_waiting_on_the_team(app, make):
    d = h.desk(make)
    r = h.opened(app, d, at(2026, 3, 3, 9, 0))  # Tuesday
    assert r.resolution_due == at(2026, 3, 5, 18, 0)  # three working days
    h.act(app, at(2026, 3, 3, 10, 0), ops.ask_team, r.id, actor=d.staff, question="营业执照?")
    waiting = h.one(app, ServiceRequest, r.id)
    assert waiting.status == "waiting_on_team" and waiting.resolution_due is None
    assert waiting.first_responded_at == at(2026, 3, 3, 10, 0)
    h.act(app, at(2026, 3, 5, 10, 0), ops.comment, r.id, actor=d.member, body="附上了")
    back = h.one(app, ServiceRequest, r.id)
    # Waited: Tuesday 10:00–18:00 (390) + Wednesday (450) + Thursday 09:00–10:00 (60).
    assert back.status == "in_progress" and back.waited_minutes == 900
    # 1350 + 900 working minutes from Tuesday 09:00: Monday 9 March, 18:00.
    assert back.resolution_due == at(2026, 3, 9, 18, 0)


def test_sla_states_on_time_due_soon_breached_and_paused(app, make, ctx):
    d = h.desk(make)
    r = h.opened(app, d, at(2026, 3, 3, 9, 0))  # first response due 14:30 (240 min)
    request = db.session.get(ServiceRequest, r.id)
    cal = calendar_of(request.park)
    assert sla_of(cal, request, at(2026, 3, 3, 9, 30)).state == "on_time"
    # 60 working minutes left of 240: a quarter → due soon (lunch does not count).
    assert sla_of(cal, request, at(2026, 3, 3, 12, 0)).response.remaining == 60
    assert sla_of(cal, request, at(2026, 3, 3, 12, 0)).state == "due_soon"
    assert sla_of(cal, request, at(2026, 3, 3, 14, 29)).state == "due_soon"
    assert sla_of(cal, request, at(2026, 3, 3, 14, 30)).state == "breached"
    # Paused: the resolution clock keeps what was left when the wait began.
    request.first_responded_at = at(2026, 3, 3, 10, 0)
    request.status, request.waiting_since = "waiting_on_team", at(2026, 3, 3, 10, 0)
    request.resolution_due = None
    later = sla_of(cal, request, at(2026, 3, 20, 10, 0))
    assert later.resolution.paused and later.resolution.remaining == 1350 - 60
    assert later.state == "on_time"
    db.session.rollback()


def test_a_year_the_calendar_does_not_know_refuses_to_open(app, make):
    d = h.desk(make)
    with pytest.raises(RuleViolation) as refused:
        h.opened(app, d, at(2099, 3, 3, 9, 0))
    assert refused.value.code == "calendar_year_unknown"
    assert h.count(app, ServiceRequest) == 0


def test_each_park_sets_its_own_targets_per_category(app, make):
    d = h.desk(make)
    admin = make.user("admin")
    with app.app_context():
        park = db.session.get(Park, d.park.id)
        change_settings(
            park,
            actor=admin,
            values={"service_financing_response": 60, "service_financing_resolution": 450},
        )
    r = h.opened(app, d, at(2026, 3, 3, 11, 30), category="financing")
    other = h.opened(app, d, at(2026, 3, 3, 11, 30), category="facilities")
    # 60 working minutes from 11:30: 11:30–12:00, then 13:30–14:00 (lunch does not count).
    assert (r.response_minutes, r.first_response_due) == (60, at(2026, 3, 3, 14, 0))
    assert r.resolution_due == at(2026, 3, 4, 11, 30)  # one working day
    assert other.response_minutes == 240  # the default, untouched


def test_a_clock_the_calendar_cannot_count_is_unknown_until_overdue(app, make, ctx):
    d = h.desk(make)
    r = h.opened(app, d, at(2026, 12, 25, 9, 0))  # a Friday
    request = db.session.get(ServiceRequest, r.id)
    cal = calendar_of(request.park)
    # The due instants lie in 2026; from a January 2027 the package does not know, the
    # minutes left cannot be counted, but an overdue clock is breached all the same.
    request.first_response_due = at(2027, 1, 5, 9, 0)
    assert sla_of(cal, request, at(2027, 1, 4, 9, 0)).response.state == "unknown"
    assert sla_of(cal, request, at(2027, 1, 6, 9, 0)).response.state == "breached"
    db.session.rollback()
