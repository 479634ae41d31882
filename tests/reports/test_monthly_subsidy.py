"""The monthly subsidy report's figures: per team and source, then per source against its
budget and per section, equal to the sums of the source records to the fen, on generated
data (random waivers, usage draws, approvals and tranches around the month's edges)."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest
from sqlalchemy import select

from opc.extensions import db
from opc.reports.models import ReportFile, ReportRun
from opc.reports.operations import produce_report
from opc.teams.models import Team
from tests.reports.data import PERIOD, seed
from tests.reports.helpers import csv_rows, fen, file_bytes, workbook

SECTION_NAMES = {
    "Rent waived": "rent_waived",
    "Compute subsidised": "compute_subsidised",
    "Fund approved": "fund_approved",
    "Fund disbursed": "fund_disbursed",
}


@pytest.mark.parametrize("seed_value", [1, 2, 3])
def test_the_report_sums_the_source_records_to_the_fen(app, make, seed_value):
    park = make.park()
    expected = seed(app, make, park, random.Random(seed_value))
    with app.app_context():
        run, created = produce_report(park_id=park.id, kind="monthly_subsidy", period=PERIOD)
        assert created and run.status == "done", run.error
        names = {t.name_zh: t.id for t in db.session.scalars(select(Team))}
        rows = csv_rows(file_bytes(run, "csv"))
        book = workbook(file_bytes(run, "xlsx"))
    header, body = rows[0], rows[1:]
    assert header == ["Section", "Team", "Source", "GPU-hours", "Amount (¥)", "Budget (¥)"]
    found: dict[tuple[str, int, object], list[int]] = {}
    source_totals: dict[tuple[str, str], int] = {}
    section_totals: dict[str, tuple[int, int]] = {}
    for section, team, source, hours, amount, _budget in body:
        key = SECTION_NAMES[section]
        if team == "Total" and source == "All":
            section_totals[key] = (fen(hours) if hours else 0, fen(amount))
        elif team == "Total":
            source_totals[(key, source)] = fen(amount)
        else:
            hours_h = fen(hours) if hours else 0
            found[(key, names[team], source)] = [hours_h, fen(amount)]
    # Every team and source the records name, with their sums; nothing else.
    assert sorted((k[0], k[1], v[0], v[1]) for k, v in found.items()) == sorted(
        (k[0], k[1], v[0], v[1]) for k, v in expected.items()
    )
    # Each section's total is the sum of its records, to the fen and the hundredth hour.
    for key in SECTION_NAMES.values():
        hours = sum(v[0] for k, v in expected.items() if k[0] == key)
        amount = sum(v[1] for k, v in expected.items() if k[0] == key)
        assert section_totals[key][1] == amount, key
        if key == "compute_subsidised":
            assert section_totals[key][0] == hours
    by_source: dict[str, int] = defaultdict(int)
    for (key, _source), amount in source_totals.items():
        by_source[key] += amount
    assert dict(by_source) == {k: v[1] for k, v in section_totals.items() if v[1]}
    # The workbook holds the same rows, with a frozen bold header and ¥ formats.
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == header
    assert sheet.cell(1, 1).font.b
    assert sheet.max_row == len(rows)
    money_cells = [sheet.cell(r, 5) for r in range(2, sheet.max_row + 1)]
    assert all("¥" in c.number_format for c in money_cells)
    assert sum(
        round(c.value * 100) for c in money_cells if sheet.cell(c.row, 2).value != "Total"
    ) == sum(v[1] for v in expected.values())
    last = sheet.max_row
    assert sheet.cell(last, 2).value == "Total" and sheet.cell(last, 2).font.b


def test_budgets_stand_beside_their_sources_totals(app, make):
    park = make.park()
    seed(app, make, park, random.Random(7), teams=2)
    with app.app_context():
        run, _created = produce_report(park_id=park.id, period=PERIOD)
        rows = csv_rows(file_bytes(run, "csv"))[1:]
    budgets = {(r[0], r[2]): r[5] for r in rows if r[1] == "Total" and r[2] != "All"}
    assert budgets[("Compute subsidised", "算力券0")] == "500000.00"
    assert budgets[("Fund approved", "申报1")] == "3000000.00"
    assert all(v == "" for (section, _s), v in budgets.items() if section == "Rent waived")


def test_an_empty_month_gives_a_report_of_zero_totals(app, make):
    park = make.park()
    with app.app_context():
        run, created = produce_report(park_id=park.id, period="2025-01")
        rows = csv_rows(file_bytes(run, "csv"))
        files = db.session.scalars(select(ReportFile).where(ReportFile.run_id == run.id)).all()
    assert created and run.status == "done"
    assert sorted(f.format for f in files) == ["csv", "xlsx"]
    assert [r[4] for r in rows[1:]] == ["0.00"] * 4  # one total row per section
    assert all(len(f.sha256) == 64 and f.size > 0 for f in files)
    assert ReportRun.__tablename__ == "report_runs"
