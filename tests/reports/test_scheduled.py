"""The monthly subsidy report from the scheduler process for real: two `flask --app opc
scheduler` processes (each fires every job on start, so the report of the month before is
due at once) and a manual request at the same moment, on one database: one run."""

from __future__ import annotations

import random
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from opc.core.errors import ConcurrentUpdate
from opc.jobs.models import JobRun
from opc.reports.models import ReportFile, ReportRun
from opc.reports.operations import produce_report
from opc.reports.tasks import MONTHLY, month_before
from tests.core.helpers import rows
from tests.jobs.test_scheduler import scheduler, wait_for  # noqa: F401 (a fixture)
from tests.reports.data import seed

pytestmark = pytest.mark.slow


def test_two_schedulers_and_a_manual_request_make_one_run(app, make, scheduler):  # noqa: F811
    period = month_before(datetime.now(ZoneInfo("Asia/Shanghai")))
    park = make.park()
    seed(app, make, park, random.Random(5), teams=3)
    staff = make.user("staff", parks=[park])
    a = scheduler("a", [])
    b = scheduler("b", [])
    manual = None
    while manual is None:  # at the same moment as the schedulers' first firing
        with app.app_context():
            try:
                run, _created = produce_report(park_id=park.id, period=period, actor=staff)
                manual = (run.id, run.status)
            except ConcurrentUpdate:
                continue  # SQLite: a scheduler held the write lock past the busy timeout
    done = wait_for(
        lambda: [r for r in rows(app, JobRun) if r.job == MONTHLY and r.state == "succeeded"],
        60,
        "the monthly report job",
        a,
        b,
    )
    for process in (a, b):  # both fired their jobs on start (a late one finds the run done)
        started = f"scheduler {process.holder} started"
        wait_for(lambda p=process, s=started: s in p.output(), 60, "start", process)
    time.sleep(2)
    assert (a.stop(), b.stop()) == (0, 0), a.output() + b.output()
    runs = rows(app, ReportRun, ReportRun.park_id == park.id)
    assert [(r.period, r.version, r.status) for r in runs] == [(period, 1, "done")]
    assert manual[0] == runs[0].id  # the manual request got the same run
    files = rows(app, ReportFile, ReportFile.run_id == runs[0].id)
    assert sorted(f.format for f in files) == ["csv", "xlsx"]
    [job_run] = [r for r in rows(app, JobRun) if r.job == MONTHLY]
    assert (job_run.period, job_run.attempts) == (period, 1) and done
