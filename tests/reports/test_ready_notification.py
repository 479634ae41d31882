"""The park's staff and the admins hear once that a run is ready: produced again, taken over
or re-mailed it tells nobody twice; a failed run tells nobody; a new version is news again;
another park's staff, members and inactive accounts hear nothing."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import select

from opc.core.db import transaction, utcnow
from opc.extensions import db
from opc.jobs import registry
from opc.jobs.runner import Outcome, run_due
from opc.notifications.kinds import render
from opc.notifications.models import Notification
from opc.reports import files as report_files
from opc.reports.models import ReportRun
from opc.reports.notify import READY
from opc.reports.operations import produce_report
from opc.reports.tasks import MONTHLY
from tests.core.helpers import rows


def told(app):
    return rows(app, Notification, Notification.kind == READY, order_by=Notification.id)


def people(make, park):
    """Who should hear (the park's staff, an admin) and who should not."""
    staff = make.user("staff", parks=[park])
    admin = make.user("admin")
    make.user("staff", parks=[park], is_active=False)
    make.user("staff", parks=[make.park()])  # another park's
    make.user("member", team=make.team(park, status="resident"))
    make.user("reviewer")
    return staff, admin


def test_staff_and_admins_hear_once_of_a_ready_run(app, make):
    park = make.park()
    staff, admin = people(make, park)
    with app.app_context():
        run, created = produce_report(park_id=park.id, period="2026-02", actor=staff)
        again, created_again = produce_report(park_id=park.id, period="2026-02")
        assert (created, created_again) == (True, False) and again.id == run.id
        run_id = run.id
    notes = told(app)
    assert sorted(n.user_id for n in notes) == sorted([staff.id, admin.id])
    for note in notes:
        assert note.params["run_id"] == run_id and note.params["park_id"] == park.id
        assert (note.params["period"], note.params["version"]) == ("2026-02", 1)
        assert note.params["kind"] == "monthly_subsidy"
        assert note.link == f"/reports?park_id={park.id}&period=2026-02"
    with app.test_request_context(), force_locale("en"):
        rendered = render(READY, notes[0].params)
    assert "Monthly subsidy report for 2026-02 is ready (version 1)" in rendered.title


def test_a_new_version_is_news_again(app, make):
    park = make.park()
    staff, admin = people(make, park)
    with app.app_context():
        produce_report(park_id=park.id, period="2026-02")
        produce_report(park_id=park.id, period="2026-02", actor=staff, new_version=True)
    versions = sorted((n.params["version"], n.user_id) for n in told(app))
    assert versions == sorted([(1, staff.id), (1, admin.id), (2, staff.id), (2, admin.id)])


def test_a_failed_run_tells_nobody_and_its_retry_once(app, make, monkeypatch):
    park = make.park()
    staff, admin = people(make, park)
    real = report_files.write
    monkeypatch.setattr(report_files, "write", lambda *a: (_ for _ in ()).throw(OSError("full")))
    with app.app_context():
        run, _created = produce_report(park_id=park.id, period="2026-02")
        assert run.status == "failed"
    assert told(app) == []
    monkeypatch.setattr(report_files, "write", real)
    with app.app_context():
        assert produce_report(park_id=park.id, period="2026-02")[0].status == "done"
    assert sorted(n.user_id for n in told(app)) == sorted([staff.id, admin.id])


def test_a_taken_over_run_tells_once(app, make):
    park = make.park()
    staff, _admin = people(make, park)
    with app.app_context():
        with transaction() as session:  # a producer killed after its claim
            session.add(
                ReportRun(
                    park_id=park.id,
                    kind="monthly_subsidy",
                    period="2026-02",
                    version=1,
                    status="running",
                    source="scheduler",
                    attempts=1,
                    lease_until=utcnow() - timedelta(seconds=1),
                    started_at=utcnow() - timedelta(minutes=20),
                )
            )
        taken, _created = produce_report(park_id=park.id, period="2026-02")
        assert (taken.status, taken.attempts) == ("done", 2)
        assert produce_report(park_id=park.id, period="2026-02")[0].attempts == 2
        assert db.session.scalar(select(ReportRun.status)) == "done"
    assert len([n for n in told(app) if n.user_id == staff.id]) == 1


def test_the_monthly_job_tells_each_park_once(app, make):
    parks = [make.park(), make.park()]
    staff = [make.user("staff", parks=[park]) for park in parks]
    with app.app_context():
        job = registry.get(MONTHLY)
        assert run_due(job, holder="t", period="2026-02") == Outcome.SUCCEEDED
        assert run_due(job, holder="t", period="2026-02") == Outcome.DONE
    heard = sorted((n.user_id, n.params["park_id"]) for n in told(app))
    assert heard == [(staff[0].id, parks[0].id), (staff[1].id, parks[1].id)]
