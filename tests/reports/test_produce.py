"""Producing a report run: once per park, kind and period; versions; a run that fails or
dies halfway leaves no file marked done and is produced again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from opc.core.db import transaction, utcnow
from opc.core.errors import ValidationFailed
from opc.extensions import db
from opc.reports import files as report_files
from opc.reports.models import ReportFile, ReportRun
from opc.reports.operations import produce_report
from tests.core.helpers import rows


def stored_keys(app) -> set[str]:
    folder = app.config["STORAGE_DIR"]
    import os

    found = set()
    for root, _dirs, names in os.walk(folder):
        for name in names:
            found.add(os.path.join(root, name))
    return found


def test_the_same_period_gives_the_same_run(app, make):
    park = make.park()
    staff = make.user("staff", parks=[park])
    with app.app_context():
        first, created = produce_report(park_id=park.id, period="2026-01")
        first_id = first.id
        again, created_again = produce_report(park_id=park.id, period="2026-01", actor=staff)
        assert (created, created_again) == (True, False)
        assert again.id == first_id and again.version == 1
    [run] = rows(app, ReportRun)
    assert (run.source, run.created_by_id, run.status) == ("scheduler", None, "done")


def test_a_new_version_keeps_the_old_one(app, make):
    park = make.park()
    staff = make.user("staff", parks=[park])
    with app.app_context():
        first_id = produce_report(park_id=park.id, period="2026-01")[0].id
        second, created = produce_report(
            park_id=park.id, period="2026-01", actor=staff, new_version=True
        )
        assert created and second.version == 2 and second.id != first_id
    runs = rows(app, ReportRun, order_by=ReportRun.version)
    assert [(r.version, r.status, r.source) for r in runs] == [
        (1, "done", "scheduler"),
        (2, "done", "manual"),
    ]
    assert runs[1].created_by_id == staff.id
    assert len(rows(app, ReportFile)) == 4


@pytest.mark.parametrize("period", ["2026-13", "26-01", "1999-12", "2999-01"])
def test_a_month_not_over_or_malformed_is_refused(app, make, period):
    park = make.park()
    with app.app_context(), pytest.raises(ValidationFailed) as refused:
        produce_report(park_id=park.id, period=period)
    assert "period" in refused.value.fields
    assert rows(app, ReportRun) == []


def test_staff_of_another_park_may_not_produce(app, make):
    from opc.core.errors import Forbidden

    park, other = make.park(), make.park()
    outsider = make.user("staff", parks=[other])
    with app.app_context(), pytest.raises(Forbidden):
        produce_report(park_id=park.id, period="2026-01", actor=outsider)
    assert rows(app, ReportRun) == []


def test_a_writer_failing_halfway_leaves_no_done_file_and_the_retry_produces(
    app, make, monkeypatch
):
    park = make.park()
    make.team(park, status="resident")
    before = stored_keys(app)
    real_cells = report_files.cells
    written = []

    def failing(row):
        written.append(row)
        if len(written) == 3:
            raise OSError("disk full")
        return real_cells(row)

    monkeypatch.setattr(report_files, "cells", failing)
    with app.app_context():
        run, created = produce_report(park_id=park.id, period="2026-01")
        assert created and run.status == "failed" and "disk full" in run.error
        assert run.finished_at is not None
        run_id = run.id
    assert rows(app, ReportFile) == []  # no file recorded
    assert stored_keys(app) == before  # and none left in storage

    monkeypatch.setattr(report_files, "cells", real_cells)
    with app.app_context():
        retried, created = produce_report(park_id=park.id, period="2026-01")
        assert not created and retried.id == run_id and retried.version == 1
        assert (retried.status, retried.attempts, retried.error) == ("done", 2, None)
    assert sorted(f.format for f in rows(app, ReportFile)) == ["csv", "xlsx"]


def test_a_run_whose_producer_died_is_taken_over_after_its_lease(app, make):
    park = make.park()
    with app.app_context():
        with transaction() as session:  # what a producer killed after its claim leaves
            session.add(
                ReportRun(
                    park_id=park.id,
                    kind="monthly_subsidy",
                    period="2026-01",
                    version=1,
                    status="running",
                    source="manual",
                    attempts=1,
                    lease_until=utcnow() + timedelta(minutes=5),
                    started_at=utcnow(),
                )
            )
        held, created = produce_report(park_id=park.id, period="2026-01")
        assert (held.status, created) == ("running", False)  # its lease holds: left alone
        with transaction():
            db.session.execute(select(ReportRun).with_for_update()).scalar_one().lease_until = (
                utcnow() - timedelta(seconds=1)
            )
        taken, created = produce_report(park_id=park.id, period="2026-01")
        assert (taken.status, taken.attempts, taken.version, created) == ("done", 2, 1, False)
    assert len(rows(app, ReportRun)) == 1


def test_the_database_allows_one_running_run_per_period(app, make):
    from sqlalchemy.exc import IntegrityError

    park = make.park()
    values = dict(
        park_id=park.id,
        kind="monthly_subsidy",
        period="2026-01",
        status="running",
        source="manual",
        attempts=1,
        lease_until=utcnow(),
        started_at=utcnow(),
    )
    with app.app_context():
        with transaction() as session:
            session.add(ReportRun(version=1, **values))
        with pytest.raises(IntegrityError), transaction() as session:
            session.add(ReportRun(version=2, **values))
        with pytest.raises(IntegrityError), transaction() as session:
            session.add(ReportRun(version=1, **{**values, "status": "failed"}))
