"""Two staff approving at once, on two real connections: waivers that together would waive
more than the rent never both pass (SQLite and PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import pytest

from opc.extensions import db
from opc.rent import compute
from opc.rent import operations as ops
from opc.rent.models import Statement, StatementLine, Waiver
from opc.rent.operations import statements, waivers
from tests.core.helpers import race_as, slowed
from tests.rent.helpers import D, count, resident, rows


@pytest.mark.slow
def test_two_approvals_that_together_exceed_the_rent_race(app, make, monkeypatch):
    park = make.park()
    staff = make.user("staff", parks=[park])
    team = resident(make, park, "2025-03-01")
    make.allocation(team, make.unit(park, area_m2=Decimal("30")), D("2025-03-01"))
    with app.app_context():
        ids = [
            ops.propose_waiver(
                actor=None, team_id=team.id, percent=pct, start=D("2026-01-01"), reason="x"
            ).id
            for pct in ("60", "50")
        ]
    slowed(monkeypatch, waivers, "approved_waivers")
    writes = [partial(_approve, waiver_id) for waiver_id in ids]
    outcomes = race_as(app, staff.id, writes)
    assert outcomes == ["ok", "waiver_stacking"], outcomes
    assert count(app, Waiver, Waiver.status == "approved") == 1
    assert sorted(w.status for w in rows(app, Waiver)) == ["approved", "proposed"]


def _approve(waiver_id: int, *, actor):
    return ops.approve_waiver(db.session.get(Waiver, waiver_id), actor=actor)


@pytest.mark.slow
def test_two_staff_issue_a_month_at_once(app, make, monkeypatch):
    """Each team's statement is issued once; one click issues them all, the other none."""
    park = make.park()
    staff = make.user("staff", parks=[park])
    for _ in range(3):
        team = resident(make, park, "2026-01-01")
        make.allocation(team, make.unit(park, area_m2=Decimal("30")), D("2026-01-01"))
    slowed(monkeypatch, compute, "park_month")
    results: list[int] = []

    def issue(*, actor):
        results.append(statements.issue_month(park.id, "2026-09", actor=actor))

    outcomes = race_as(app, staff.id, [issue, issue])
    assert outcomes == ["ok", "ok"], outcomes
    assert sorted(results) == [0, 3]
    assert count(app, Statement) == 3
    assert count(app, StatementLine) == 3
