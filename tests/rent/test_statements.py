"""Statements with hand-worked figures: rent = area × rate per m² × days held ÷ days in the
month, half-up to the fen once per line; waivers, caps, clawback, corrections, rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from opc.parks.settings.operations import change_settings
from tests.rent.helpers import D, approved, policy, resident

TODAY = "2026-11-15 04:00:00+00:00"


@pytest.fixture
def s(make, api):
    park = make.park()
    staff = make.user("staff", parks=[park])
    return {"park": park, "staff": staff, "api": api(staff)}


def statement(s, team, month):
    response = s["api"].get(f"/statements?team_id={team.id}&month={month}")
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    assert len(items) == 1, items
    return items[0]


def amounts(item, kind):
    return [line["amount_yuan"] for line in item["lines"] if line["kind"] == kind]


@time_machine.travel(TODAY, tick=False)
def test_a_move_mid_month(make, s):
    team = resident(make, s["park"], "2026-01-01")
    a = make.unit(s["park"], area_m2=Decimal("30"), rent_fen_per_m2=8000)
    b = make.unit(s["park"], area_m2=Decimal("50"), rent_fen_per_m2=6000)
    make.allocation(team, a, D("2026-03-01"), D("2026-03-16"))
    make.allocation(team, b, D("2026-03-16"))
    item = statement(s, team, "2026-03")
    # A: 30 m² × 80.00 × 15 days ÷ 31 = 1,161.2903… → 1,161.29
    # B: 50 m² × 60.00 × 16 days ÷ 31 = 1,548.3870… → 1,548.39
    assert amounts(item, "rent") == ["1161.29", "1548.39"]
    assert item["gross_yuan"] == "2709.68" and item["net_yuan"] == "2709.68"
    assert item["status"] == "draft" and item["id"] is None
    assert [line["days"] for line in item["lines"]] == [15, 16]


@time_machine.travel(TODAY, tick=False)
def test_two_units_in_one_month_and_an_open_end(make, s):
    team = resident(make, s["park"], "2025-01-01")
    make.allocation(team, make.unit(s["park"], area_m2=Decimal("30")), D("2025-01-01"))
    make.allocation(
        team, make.unit(s["park"], area_m2=Decimal("10"), rent_fen_per_m2=10000), D("2026-04-01")
    )
    # 30 m² × 80.00 = 2,400.00 (open end: the whole month); 10 m² × 100.00 = 1,000.00
    item = statement(s, team, "2026-04")
    assert amounts(item, "rent") == ["2400.00", "1000.00"]
    assert item["gross_yuan"] == "3400.00"


@time_machine.travel(TODAY, tick=False)
def test_an_allocation_ending_on_the_last_day(make, s):
    team = resident(make, s["park"], "2026-01-01")
    unit = make.unit(s["park"], area_m2=Decimal("30"))
    make.allocation(team, unit, D("2026-04-01"), D("2026-05-01"))  # held through 30 April
    assert statement(s, team, "2026-04")["gross_yuan"] == "2400.00"
    other = resident(make, s["park"], "2026-01-01")
    make.allocation(
        other, make.unit(s["park"], area_m2=Decimal("30")), D("2026-04-01"), D("2026-04-30")
    )
    # through 29 April: 30 × 80.00 × 29 ÷ 30 = 2,320.00
    assert statement(s, other, "2026-04")["gross_yuan"] == "2320.00"


@time_machine.travel(TODAY, tick=False)
def test_february_of_a_leap_year(make, s):
    team = resident(make, s["park"], "2024-01-01")
    make.allocation(team, make.unit(s["park"], area_m2=Decimal("30")), D("2024-02-10"))
    # 20 days of 29: 30 × 80.00 × 20 ÷ 29 = 1,655.1724… → 1,655.17
    item = statement(s, team, "2024-02")
    assert item["gross_yuan"] == "1655.17"
    assert item["lines"][0]["days"] == 20


@time_machine.travel(TODAY, tick=False)
def test_a_step_from_100_to_50_percent_mid_month(app, make, s):
    team = resident(make, s["park"], "2025-03-10")
    make.allocation(
        team, make.unit(s["park"], area_m2=Decimal("31"), rent_fen_per_m2=10000), D("2025-03-10")
    )
    grant = policy(app, s["park"], [(12, "100"), (12, "50")], code="SF13-4")
    approved(app, team, policy_id=grant.id)
    # 31 m² × 100.00 = 3,100.00 in March, 100.00 a day. Month 13 of residency begins on
    # 10 March 2026: 9 days at 100% (900.00) + 22 days at 50% (1,100.00) = 2,000.00 waived.
    item = statement(s, team, "2026-03")
    assert item["gross_yuan"] == "3100.00"
    assert amounts(item, "waiver") == ["-2000.00"]
    assert item["waived_yuan"] == "2000.00" and item["net_yuan"] == "1100.00"
    assert item["lines"][1]["policy_id"] == grant.id
    assert "SF13-4" in item["lines"][1]["description"]


@time_machine.travel(TODAY, tick=False)
def test_the_area_cap(app, make, s):
    team = resident(make, s["park"], "2026-01-01")
    make.allocation(
        team, make.unit(s["park"], area_m2=Decimal("31"), rent_fen_per_m2=10000), D("2026-01-01")
    )
    grant = policy(app, s["park"], [(12, "100")], area_cap_m2=Decimal("20"))
    approved(app, team, policy_id=grant.id)
    # 3,100.00 on 31 m²; the policy covers 20 m² of it: 3,100.00 × 20 ÷ 31 = 2,000.00
    item = statement(s, team, "2026-05")
    assert item["waived_yuan"] == "2000.00" and item["net_yuan"] == "1100.00"


@time_machine.travel(TODAY, tick=False)
def test_a_fixed_waiver_never_takes_the_statement_below_zero(app, make, s):
    team = resident(make, s["park"], "2026-01-01")
    make.allocation(
        team, make.unit(s["park"], area_m2=Decimal("30")), D("2026-04-01"), D("2026-04-11")
    )
    with time_machine.travel("2026-04-01 04:00:00+00:00", tick=False):
        approved(app, team, amount_fen=200000, start=D("2026-04-01"), reason="设备补贴")
    # 10 days of 30: 30 × 80.00 × 10 ÷ 30 = 800.00; 2,000.00 a month waives 800.00 only.
    item = statement(s, team, "2026-04")
    assert item["gross_yuan"] == "800.00"
    assert amounts(item, "waiver") == ["-800.00"]
    assert item["net_yuan"] == "0.00"


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(("step", "clawback"), [("exited", "14400.00"), ("graduated", None)])
def test_clawback_on_exit_and_none_on_graduation(app, make, s, step, clawback):
    team = resident(make, s["park"], "2025-03-01")
    make.allocation(team, make.unit(s["park"], area_m2=Decimal("30")), D("2025-03-01"))
    grant = policy(
        app,
        s["park"],
        [(12, "100")],
        clawback_within_months=24,
        clawback_last_months=6,
    )
    approved(app, team, policy_id=grant.id)
    left = s["api"].post(f"/teams/{team.id}/transitions", json={"to": step, "on": "2026-02-01"})
    assert left.status_code in (200, 201), left.get_json()
    item = statement(s, team, "2026-01")  # the final statement: its last day is 31 January
    # January: 2,400.00 rent, 2,400.00 waived (month 11 of 12 at 100%).
    assert item["gross_yuan"] == "2400.00" and item["waived_yuan"] == "2400.00"
    # Exited in month 12, within 24: the last 6 months' waivers come back,
    # August 2025 to January 2026: 6 × 2,400.00 = 14,400.00.
    assert amounts(item, "clawback") == ([clawback] if clawback else [])
    assert item["net_yuan"] == (clawback or "0.00")


@time_machine.travel(TODAY, tick=False)
def test_rounding_to_the_jiao_adds_a_line(app, make, s):
    team = resident(make, s["park"], "2026-01-01")
    a = make.unit(s["park"], area_m2=Decimal("30"), rent_fen_per_m2=8000)
    make.allocation(team, a, D("2026-03-01"), D("2026-03-16"))
    with app.app_context():
        change_settings(s["park"], actor=None, values={"rent_rounding": "jiao"})
    # 1,161.29 → 1,161.30 to the jiao: a rounding line of 0.01
    item = statement(s, team, "2026-03")
    assert amounts(item, "rounding") == ["0.01"]
    assert item["gross_yuan"] == "1161.29" and item["net_yuan"] == "1161.30"
