"""The monthly job in process: every park's report of the month before, each mailed; one park
at a time, each park's run committed on its own (PostgreSQL), so a park done is not held by
the next and a park that fails fails the job, whose retry produces only what is not done."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from opc.core.db import transaction, utcnow
from opc.extensions import db
from opc.jobs import registry
from opc.jobs.models import JobRun
from opc.jobs.runner import Outcome, claim, execute, run_due
from opc.parks.settings.operations import change_settings
from opc.reports import files as report_files
from opc.reports import monthly_subsidy
from opc.reports.models import ReportFile, ReportRun
from opc.reports.operations import produce_report
from opc.reports.tasks import MAIL, MONTHLY, month_before
from tests.core.helpers import rows


def test_month_before_is_the_period():
    zone = ZoneInfo("Asia/Shanghai")
    assert month_before(datetime(2026, 3, 1, 2, 0, tzinfo=zone)) == "2026-02"
    assert month_before(datetime(2026, 1, 1, 2, 0, tzinfo=zone)) == "2025-12"
    job = registry.get(MONTHLY)
    assert job is not None and job.cron == {"day": 1, "hour": 2, "minute": 0}


def test_the_job_produces_every_park_and_mails_them(app, make, smtp_server):
    parks = [make.park(), make.park()]
    with app.app_context():
        change_settings(parks[0], actor=None, values={"report_recipients": "cfo@park.cn"})
        assert run_due(registry.get(MONTHLY), holder="t", period="2026-02") == Outcome.SUCCEEDED
        assert run_due(registry.get(MONTHLY), holder="t", period="2026-02") == Outcome.DONE
    runs = rows(app, ReportRun, order_by=ReportRun.park_id)
    assert [(r.park_id, r.period, r.status, r.source) for r in runs] == [
        (parks[0].id, "2026-02", "done", "scheduler"),
        (parks[1].id, "2026-02", "done", "scheduler"),
    ]
    assert runs[0].mailed_at is not None and runs[1].mailed_at is None
    assert len(smtp_server.wait_for(1)) == 1


def sqlite(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "sqlite"


def test_a_failing_report_fails_the_job_and_its_retry_produces_the_rest(app, make, monkeypatch):
    parks = [make.park(), make.park()]
    real = report_files.write
    one_writer = sqlite(app)

    def second_park_fails(*args):  # SQLite: every park (its runs are undone anyway)
        if one_writer or len(rows(app, ReportRun)) > 1:
            raise OSError("full")
        return real(*args)

    monkeypatch.setattr(report_files, "write", second_park_fails)
    job = registry.get(MONTHLY)
    with app.app_context():
        assert run_due(job, holder="t", period="2026-02") == Outcome.FAILED
    [failed] = rows(app, JobRun, JobRun.job == MONTHLY)
    assert failed.state == "failed" and "full" in failed.error
    if sqlite(app):  # one writer: the parks are produced in the job's transaction, undone
        assert rows(app, ReportRun) == [] and rows(app, ReportFile) == []
    else:  # each park's run commits on its own: the first stays done, the second failed
        runs = rows(app, ReportRun, order_by=ReportRun.park_id)
        assert [(r.park_id, r.status) for r in runs] == [
            (parks[0].id, "done"),
            (parks[1].id, "failed"),
        ]
    monkeypatch.setattr(report_files, "write", real)
    with app.app_context():
        with transaction():  # its lease has passed: the retry is due
            db.session.get(JobRun, failed.id).lease_until = utcnow()
        claimed = claim(job, "2026-02", "t2")
        assert execute(job, claimed) == Outcome.SUCCEEDED
    runs = rows(app, ReportRun, order_by=ReportRun.park_id)
    assert [(r.status, r.version) for r in runs] == [("done", 1), ("done", 1)]
    if not sqlite(app):  # the done park was not produced again; the failed one taken over
        assert [r.attempts for r in runs] == [1, 2]


def test_a_park_done_is_not_held_by_the_next_parks(app, make, monkeypatch):
    """While the job produces the second park, the first park's run is committed and a
    manual request for it is answered at once (it does not wait for the job's end)."""
    if sqlite(app):
        pytest.skip("SQLite has one writer at a time by design (BEGIN IMMEDIATE)")
    parks = [make.park(), make.park()]
    staff = make.user("staff", parks=[parks[0]])
    producing, release = threading.Event(), threading.Event()
    real_rows = monthly_subsidy.rows

    def held_on_the_second(park, period):
        if park.id == parks[1].id:
            producing.set()
            assert release.wait(30)
        return real_rows(park, period)

    monkeypatch.setattr(monthly_subsidy, "rows", held_on_the_second)
    outcomes = []

    def scheduler():
        with app.app_context():
            outcomes.append(run_due(registry.get(MONTHLY), holder="t", period="2026-02"))

    job = threading.Thread(target=scheduler)
    job.start()
    try:
        assert producing.wait(30), "the job never reached the second park"
        first = rows(app, ReportRun, ReportRun.park_id == parks[0].id)
        assert [(r.status, r.version) for r in first] == [("done", 1)]  # committed already
        answered = []

        def manual():
            with app.app_context():
                run, created = produce_report(
                    park_id=parks[0].id, period="2026-02", actor=staff, new_version=True
                )
                answered.append((run.version, run.status, created))

        request = threading.Thread(target=manual)
        request.start()
        request.join(15)
        assert answered == [(2, "done", True)]  # not held by the job, still at park two
        assert [r.state for r in rows(app, JobRun, JobRun.job == MONTHLY)] == ["running"]
    finally:
        release.set()
        job.join(30)
    assert outcomes == [Outcome.SUCCEEDED]
    second = rows(app, ReportRun, ReportRun.park_id == parks[1].id)
    assert [(r.status, r.version) for r in second] == [("done", 1)]


SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_park_west_of_the_scheduler_is_produced_by_the_sweep_after_its_own_1st_0200(app, make):
    east = make.park()
    west = make.park(timezone="America/Los_Angeles")
    sweep = registry.get(MAIL)
    with app.app_context():
        # 1 March 02:00 in Shanghai is 28 February 10:00 in Los Angeles: February not over.
        with time_machine.travel(datetime(2026, 3, 1, 2, 0, tzinfo=SHANGHAI), tick=False):
            assert run_due(registry.get(MONTHLY), holder="t", period="2026-02") == Outcome.SUCCEEDED
        assert [(r.park_id, r.period) for r in rows(app, ReportRun)] == [(east.id, "2026-02")]
        # 1 March 01:00 in Los Angeles (17:00 Shanghai): not yet its 02:00.
        assert run_due(sweep, holder="t", period="2026-03-01T17") == Outcome.SUCCEEDED
        assert len(rows(app, ReportRun)) == 1
        # 1 March 02:00 there (18:00 Shanghai): produced, once; later sweeps leave it.
        for hour in ("2026-03-01T18", "2026-03-01T19"):
            assert run_due(sweep, holder="t", period=hour) == Outcome.SUCCEEDED
        runs = rows(app, ReportRun, ReportRun.park_id == west.id)
        assert [(r.period, r.version, r.status) for r in runs] == [("2026-02", 1, "done")]
        assert len(rows(app, ReportRun)) == 2
        db.session.remove()


def test_the_sweep_takes_over_a_run_whose_producer_died(app, make, monkeypatch):
    park = make.park()
    with app.app_context():
        run, _created = produce_report(park_id=park.id, period="2026-02")
        with transaction() as session:  # as a web worker killed mid-run leaves it
            stuck = session.get(ReportRun, run.id)
            stuck.status, stuck.lease_until = "running", utcnow()
            for file in list(stuck.files):
                session.delete(file)
        assert run_due(registry.get(MAIL), holder="t", period="2026-03-02T09") == Outcome.SUCCEEDED
        (again,) = rows(app, ReportRun)
        assert (again.id, again.status, again.version, again.attempts) == (run.id, "done", 1, 2)
        assert len(rows(app, ReportFile, ReportFile.run_id == run.id)) == 2
        db.session.remove()
