"""The monthly job in process: every park's report of the month before, then mailed; a park
whose report fails fails the job, which rolls back and is retried whole."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from opc.core.db import transaction, utcnow
from opc.extensions import db
from opc.jobs import registry
from opc.jobs.models import JobRun
from opc.jobs.runner import Outcome, claim, execute, run_due
from opc.parks.settings.operations import change_settings
from opc.reports import files as report_files
from opc.reports.models import ReportFile, ReportRun
from opc.reports.tasks import MONTHLY, month_before
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


def test_a_failing_report_fails_the_job_and_its_retry_produces_all(app, make, monkeypatch):
    make.park()
    make.park()
    real = report_files.write
    monkeypatch.setattr(report_files, "write", lambda *a: (_ for _ in ()).throw(OSError("full")))
    job = registry.get(MONTHLY)
    with app.app_context():
        assert run_due(job, holder="t", period="2026-02") == Outcome.FAILED
    assert rows(app, ReportRun) == [] and rows(app, ReportFile) == []  # rolled back
    [failed] = rows(app, JobRun, JobRun.job == MONTHLY)
    assert failed.state == "failed" and "full" in failed.error
    monkeypatch.setattr(report_files, "write", real)
    with app.app_context():
        with transaction():  # its lease has passed: the retry is due
            db.session.get(JobRun, failed.id).lease_until = utcnow()
        claimed = claim(job, "2026-02", "t2")
        assert execute(job, claimed) == Outcome.SUCCEEDED
    assert [r.status for r in rows(app, ReportRun)] == ["done", "done"]
