"""Two tranches at once, on two real connections (SQLite and PostgreSQL): the application's
row lock is taken before its tranches are summed, so tranches that together would exceed
the approval never both pass, and the kept sums are never a lost update."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

import pytest

from opc.funds.application_models import Application, Disbursement
from opc.funds.models import Call
from opc.funds.operations import disbursements
from tests.core.helpers import race_as, slowed
from tests.funds import helpers as h
from tests.funds.helpers import rows

pytestmark = pytest.mark.slow


def _propose(application_id: int, amount_fen: int, *, actor: Any) -> None:
    disbursements.propose_tranche(
        actor=actor,
        application_id=application_id,
        milestone="首期",
        amount_fen=amount_fen,
        paid_on=date(2027, 1, 15),
    )


def _setup(make: Any) -> tuple[Any, Any]:
    park = make.park()
    staff = make.user("staff", parks=[park])
    application = h.approved(make, h.call(make, h.fund(make, park)), make.team(park), 1_000_000)
    return staff, application


def test_two_tranches_that_together_exceed_the_approval_race(app, make, monkeypatch):
    staff, application = _setup(make)
    slowed(monkeypatch, disbursements, "reserved_fen")  # both would read the same sum
    writes = [partial(_propose, application.id, 600_000) for _ in range(2)]
    outcomes = race_as(app, staff.id, writes)
    assert outcomes == ["disbursement_exceeds_approval", "ok"], outcomes
    assert [t.amount_fen for t in rows(app, Disbursement)] == [600_000]
    assert rows(app, Application)[0].disbursed_fen == 600_000
    assert rows(app, Call)[0].disbursed_fen == 600_000


def test_two_tranches_that_fit_together_both_count(app, make, monkeypatch):
    staff, application = _setup(make)
    slowed(monkeypatch, disbursements, "reserved_fen")
    writes = [partial(_propose, application.id, 500_000) for _ in range(2)]
    assert race_as(app, staff.id, writes) == ["ok", "ok"]
    stored = rows(app, Application)[0]
    assert (stored.disbursed_fen, stored.status) == (1_000_000, "disbursed")
    assert rows(app, Call)[0].disbursed_fen == 1_000_000
