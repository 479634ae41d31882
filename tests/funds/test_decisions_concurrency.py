"""Two staff approving at once, on two real connections (SQLite and PostgreSQL): the call's
remaining budget is read under its row lock, so approvals that together would overspend it
never both pass, and the kept sum is never a lost update."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from opc.extensions import db
from opc.funds.application_models import Application
from opc.funds.application_models import ApplicationStatus as S
from opc.funds.models import Call
from opc.funds.operations import decisions
from tests.core.helpers import race_as, slowed
from tests.funds import helpers as h
from tests.funds.helpers import rows

pytestmark = pytest.mark.slow


def _approve(application_id: int, amount_fen: int, *, actor: Any) -> None:
    application = db.session.get(Application, application_id)
    decisions.approve_application(application, actor=actor, amount_fen=amount_fen)


def test_two_approvals_that_together_overspend_the_call_race(app, make, monkeypatch):
    """¥150,000 of budget: ¥100,000 each fits alone, not both."""
    park = make.park()
    staff = make.user("staff", parks=[park])
    call = h.call(make, h.fund(make, park), budget_fen=15_000_000, ceiling_fen=10_000_000)
    ids = [
        h.application(make, call, make.team(park), S.IN_REVIEW, amount_fen=10_000_000).id
        for _ in range(2)
    ]
    slowed(monkeypatch, decisions, "check_amount")  # both would read the same remainder
    outcomes = race_as(app, staff.id, [partial(_approve, i, 10_000_000) for i in ids])
    assert outcomes == ["budget_exceeded", "ok"], outcomes
    stored = rows(app, Application, order_by=Application.id)
    assert sorted(a.status for a in stored) == [S.APPROVED, S.IN_REVIEW]
    assert rows(app, Call)[0].approved_fen == 10_000_000


def test_two_approvals_that_fit_together_both_count(app, make, monkeypatch):
    park = make.park()
    staff = make.user("staff", parks=[park])
    call = h.call(make, h.fund(make, park), budget_fen=15_000_000, ceiling_fen=10_000_000)
    ids = [
        h.application(make, call, make.team(park), S.IN_REVIEW, amount_fen=7_000_000).id
        for _ in range(2)
    ]
    slowed(monkeypatch, decisions, "check_amount")
    outcomes = race_as(app, staff.id, [partial(_approve, i, 7_000_000) for i in ids])
    assert outcomes == ["ok", "ok"], outcomes
    assert rows(app, Call)[0].approved_fen == 14_000_000  # no lost update
