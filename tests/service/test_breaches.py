"""The breach warnings job: each request past its SLA warns its assignee (or the park's
staff) once per kind of breach, the run claimed once per quarter hour."""

from __future__ import annotations

import time_machine

from opc.jobs import registry
from opc.jobs.models import JobRun
from opc.jobs.runner import run_due
from opc.notifications.models import Notification
from opc.service.models import ServiceBreach
from opc.service.operations import requests as ops
from opc.service.tasks import JOB, quarter_hour, warn_breaches
from tests.service import helpers as h
from tests.service.helpers import at


def test_a_breach_is_warned_of_once_per_kind(app, make):
    d = h.desk(make)
    colleague = make.user("staff", parks=[d.park])
    late = h.opened(app, d, at(2026, 3, 2, 9, 0))  # response due Mon 14:30, resolution Wed 18:00
    answered = h.opened(app, d, at(2026, 3, 3, 9, 0))  # answered in time, resolution Thu 18:00
    h.act(app, at(2026, 3, 3, 9, 30), ops.comment, answered.id, actor=d.staff, body="收到")
    h.act(app, at(2026, 3, 2, 9, 1), ops.assign, late.id, actor=colleague, assignee_id=d.staff.id)
    sent = h.act(app, at(2026, 3, 3, 15, 0), warn_breaches, at(2026, 3, 3, 15, 0))
    again = h.act(app, at(2026, 3, 3, 15, 15), warn_breaches, at(2026, 3, 3, 15, 15))
    assert (sent, again) == (1, 0)
    warned = h.rows(app, Notification, Notification.kind == "service.breached")
    assert [(n.user_id, n.params["breach"]) for n in warned] == [(d.staff.id, "first_response")]
    # Resolution due Wednesday 18:00: warned of on Thursday, once.
    assert h.act(app, at(2026, 3, 5, 9, 0), warn_breaches, at(2026, 3, 5, 9, 0)) == 1
    assert h.act(app, at(2026, 3, 5, 9, 15), warn_breaches, at(2026, 3, 5, 9, 15)) == 0
    kinds = sorted(b.kind for b in h.rows(app, ServiceBreach))
    assert kinds == ["first_response", "resolution"]


def test_an_unassigned_breach_warns_the_parks_staff_and_waiting_requests_none(app, make):
    d = h.desk(make)
    other = make.user("staff", parks=[d.park])
    h.opened(app, d, at(2026, 3, 2, 9, 0))
    waiting = h.opened(app, d, at(2026, 3, 2, 9, 0))
    h.act(app, at(2026, 3, 2, 9, 30), ops.ask_team, waiting.id, actor=d.staff, question="?")
    assert h.act(app, at(2026, 3, 9, 9, 0), warn_breaches, at(2026, 3, 9, 9, 0)) == 2
    warned = h.rows(app, Notification, Notification.kind == "service.breached")
    assert sorted(n.user_id for n in warned) == sorted([d.staff.id, other.id] * 2)


def test_the_job_is_registered_and_runs_once_per_quarter_hour(app, make):
    d = h.desk(make)
    h.opened(app, d, at(2026, 3, 2, 9, 0))
    job = registry.get(JOB)
    assert job is not None and job.cron == {"minute": "*/15"}
    assert quarter_hour(at(2026, 3, 3, 15, 14)) == "2026-03-03T15:00"
    with time_machine.travel(at(2026, 3, 3, 15, 5), tick=False), app.app_context():
        run_due(job, holder="a", period="2026-03-03T15:00")
        run_due(job, holder="b", period="2026-03-03T15:00")
    assert h.count(app, JobRun, JobRun.job == JOB) == 1
    assert h.count(app, Notification, Notification.kind == "service.breached") == 1
