"""The demo's reports: a year of monthly subsidy reports per park, as the scheduler makes them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from opc.core.dates import local_today
from opc.demo.reports import months_before
from opc.extensions import db
from opc.parks.models import Park
from opc.reports.models import ReportRun


def test_months_before_crosses_the_year() -> None:
    assert months_before(date(2027, 2, 10), 3) == ["2026-11", "2026-12", "2027-01"]
    assert months_before(date(2026, 12, 1)) == ["2025-12"] + [f"2026-{m:02d}" for m in range(1, 12)]


def test_each_demo_park_has_a_year_of_reports_with_their_files(app, demo_data) -> None:
    demo_data()
    with app.app_context():
        for park in db.session.scalars(select(Park)):
            runs = db.session.scalars(
                select(ReportRun).where(ReportRun.park_id == park.id).order_by(ReportRun.period)
            ).all()
            assert [r.period for r in runs] == months_before(local_today(park.timezone))
            assert {(r.status, r.version, r.source) for r in runs} == {("done", 1, "scheduler")}
            assert all(sorted(f.format for f in r.files) == ["csv", "xlsx"] for r in runs)
        db.session.remove()
