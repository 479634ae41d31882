"""Two writers at once, on two real connections: the rules hold on SQLite and PostgreSQL.

Each thread has its own app context (its own session and connection); a barrier releases
them together, and the check is slowed down so that both would pass it if the writing
transaction did not lock before it checked.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import pytest

from opc.extensions import db
from opc.space import operations as ops
from opc.space import rules
from opc.space.models import Allocation, Unit
from opc.space.operations import allocations
from tests.core.helpers import race_as, slowed
from tests.space.helpers import D, count

ROUNDS = 3


@pytest.mark.slow
def test_two_allocations_of_one_unit_race(app, make, monkeypatch):
    park = make.park()
    staff = make.user("staff", parks=[park])
    teams = [make.team(park, status="resident") for _ in range(2)]
    slowed(monkeypatch, allocations, "overlapping")
    for round_ in range(ROUNDS):
        unit = make.unit(park, code=f"R{round_}")
        periods = [(D("2026-03-01"), None), (D("2026-03-15"), D("2026-04-15"))]
        writes = [
            partial(ops.allocate, team_id=team.id, unit_id=unit.id, start=start, end=end)
            for team, (start, end) in zip(teams, periods, strict=True)
        ]
        outcomes = race_as(app, staff.id, writes)
        assert outcomes == ["allocation_overlap", "ok"], (round_, outcomes)
        assert count(app, Allocation, Allocation.unit_id == unit.id) == 1


@pytest.mark.slow
def test_two_units_racing_for_the_last_area(app, make, monkeypatch):
    slowed(monkeypatch, rules, "units_area")
    for round_ in range(ROUNDS):
        park = make.park(total_area_m2=Decimal("2500"))
        staff = make.user("staff", parks=[park])
        make.unit(park, area_m2=Decimal(1000 + 100 * round_))
        free = Decimal(2500) - Decimal(1000 + 100 * round_)
        half = free / 2 + Decimal("0.01")  # each fits alone; together they do not
        writes = [
            partial(ops.create_unit, park.id, code=code, kind="office", floor=1, area_m2=half)
            for code in ("A", "B")
        ]
        outcomes = race_as(app, staff.id, writes)
        assert outcomes == ["ok", "park_area_exceeded"], (round_, outcomes)
        assert count(app, Unit, Unit.park_id == park.id) == 2
        with app.app_context():
            assert rules.units_area(db.session, park.id) <= Decimal(2500)
            db.session.remove()
