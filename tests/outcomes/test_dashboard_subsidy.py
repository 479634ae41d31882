"""Subsidy spent on the dashboard: per month, the same sums as the monthly subsidy report
(rent waived on issued statements, compute subsidised, fund tranches paid) to the fen, on
the report's own generated data (tests/reports/data.py: other months, another park, a
proposed tranche around them); by quarter; and revenue and taxes per yuan of it."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from opc.extensions import db
from opc.outcomes.dashboard import figures
from opc.outcomes.dashboard.queries import subsidy_by_month
from opc.parks.models import Park
from opc.reports import monthly_subsidy
from tests.reports.data import seed

SECTIONS = ("rent_waived", "compute_subsidised", "fund_disbursed")


def report_totals(park: Park, period: str) -> list[int]:
    """The monthly subsidy report's section totals for a month (its own SQL)."""
    totals = dict.fromkeys(SECTIONS, 0)
    for row in monthly_subsidy.rows(park, period):
        if row.level == "section" and row.section.key in totals:
            totals[row.section.key] = row.amount_fen
    return [totals[s] for s in SECTIONS]


def test_each_month_equals_the_monthly_subsidy_report_to_the_fen(app, make):
    park = make.park()
    expected = seed(app, make, park, random.Random(7))
    with app.app_context():
        park = db.session.get(Park, park.id)
        found = subsidy_by_month(park, date(2026, 1, 1), date(2027, 1, 1))
        for month in range(1, 13):
            assert found[(2026, month)] == report_totals(park, f"2026-{month:02d}"), month
        db.session.remove()
    # And the report agrees with the records themselves for its month.
    rent = sum(v[1] for (s, _t, _p), v in expected.items() if s == "rent_waived")
    compute = sum(v[1] for (s, _t, _p), v in expected.items() if s == "compute_subsidised")
    funds = sum(v[1] for (s, _t, _p), v in expected.items() if s == "fund_disbursed")
    assert found[(2026, 3)] == [rent, compute, funds]
    assert any(found[(2026, 2)]) and any(found[(2026, 4)])  # the months around have theirs


def test_quarters_and_year_to_date_sum_the_months(app, make):
    park = make.park()
    seed(app, make, park, random.Random(8))
    team = make.team(park, status="resident")
    make.kpi_report(team, 2026, 1, revenue_fen=3_000_000, taxes_fen=500_000)
    make.kpi_report(team, 2026, 2, revenue_fen=1_000_000, taxes_fen=0)
    with app.app_context():
        park = db.session.get(Park, park.id)
        months = subsidy_by_month(park, date(2026, 1, 1), date(2027, 1, 1))
        d = figures.dashboard(park, 2026, date(2026, 4, 20))
        db.session.remove()

    q1 = [sum(months[(2026, m)][i] for m in (1, 2, 3)) for i in range(3)]
    q2 = [sum(months[(2026, m)][i] for m in (4, 5, 6)) for i in range(3)]
    assert d.quarters[0].subsidy == q1 and d.quarters[1].subsidy == q2
    # Year to date: January to April (the park's today is in April).
    assert d.months_compared == 4
    assert d.subsidy[0] == [sum(months[(2026, m)][i] for m in range(1, 5)) for i in range(3)]
    # Revenue and taxes of Q1–Q2 per yuan spent in those quarters' months.
    spent = sum(q1) + sum(q2)
    wanted = (Decimal(4_500_000) / Decimal(spent)).quantize(Decimal("0.01"))
    assert d.output_per_subsidy_yuan == (wanted, None)


def test_another_parks_subsidy_never_counts(app, make):
    park, other = make.park(), make.park()
    seed(app, make, other, random.Random(9))
    with app.app_context():
        found = subsidy_by_month(db.session.get(Park, park.id), date(2026, 1, 1), date(2027, 1, 1))
        db.session.remove()
    assert all(v == [0, 0, 0] for v in found.values())


def test_ratio_is_none_without_subsidy():
    assert figures.ratio(100, 0) is None
    assert figures.ratio(1, 3) == Decimal("0.33")
