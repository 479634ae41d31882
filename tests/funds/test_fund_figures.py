"""The money is always consistent: after random approvals (some refused), tranches (paid at
once, proposed and approved, proposed and cancelled, some refused) the sums the writes keep
(`Call.approved_fen`, `Call.disbursed_fen`, `Application.disbursed_fen`) and the funds'
figures equal the sums of the records themselves, to the fen (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import select

from opc.core.errors import RuleViolation
from opc.extensions import db
from opc.funds.application_models import Application, Disbursement
from opc.funds.application_models import ApplicationStatus as S
from opc.funds.call_queries import fund_figures
from opc.funds.models import Call, Fund
from opc.funds.operations import decisions, disbursements
from opc.parks.settings import ParkSetting
from tests.funds import helpers as h


def _build(make, rng):
    """Two parks (one asking for four eyes), a fund each with two calls, six applications
    in review per call."""
    ids = []
    for n, four_eyes in enumerate((False, True)):
        park = make.park()
        if four_eyes:
            make._save(ParkSetting(park_id=park.id, key="funds_tranche_four_eyes", value="true"))
        budgets = [rng.randrange(2_000_000, 6_000_000) for _ in range(2)]
        fund = h.fund(make, park, budget_fen=20_000_000, calls_fen=sum(budgets), name_zh=f"基金{n}")
        for budget in budgets:
            call = h.call(make, fund, budget_fen=budget, ceiling_fen=budget // 2)
            for _ in range(6):
                amount = rng.randrange(100_000, budget // 2 + 200_000)
                ids.append(
                    h.application(make, call, make.team(park), S.IN_REVIEW, amount_fen=amount).id
                )
    return ids


def _act(rng, application_ids):
    """Decide every application and pay tranches at random, through the operations."""
    refused = defaultdict(int)
    for application_id in application_ids:
        application = db.session.get(Application, application_id)
        if rng.random() < 0.2:
            decisions.reject_application(application, actor=None, reason="不符合条件")
            continue
        try:
            amount = rng.randrange(1, application.amount_fen + 50_000)
            decisions.approve_application(application, actor=None, amount_fen=amount)
        except RuleViolation as exc:
            refused[exc.code] += 1
            continue
        for _ in range(rng.randrange(0, 5)):
            room = application.approved_fen - disbursements.reserved_fen(db.session, application.id)
            try:
                tranche = disbursements.propose_tranche(
                    actor=None,
                    application_id=application.id,
                    milestone="阶段",
                    amount_fen=rng.randrange(1, room + 20_000) if room > 0 else 1,
                    paid_on=date(2027, 1, 1),
                )
            except RuleViolation as exc:
                refused[exc.code] += 1
                continue
            if tranche.status == "proposed":
                choice = rng.random()
                if choice < 0.5:
                    disbursements.approve_tranche(tranche, actor=None)
                elif choice < 0.7:
                    disbursements.cancel_tranche(tranche, actor=None)
    return refused


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_sums_and_figures_equal_the_records(ctx, make, seed):
    rng = random.Random(seed)
    ids = _build(make, rng)
    refused = _act(rng, ids)
    assert refused["budget_exceeded"] + refused["approval_exceeds_request"] > 0  # exercised

    applications = list(db.session.scalars(select(Application)))
    paid = list(db.session.scalars(select(Disbursement).where(Disbursement.status == "paid")))
    paid_by_app = defaultdict(int)
    for tranche in paid:
        paid_by_app[tranche.application_id] += tranche.amount_fen
    approved_by_call, paid_by_call = defaultdict(int), defaultdict(int)
    for a in applications:
        assert a.disbursed_fen == paid_by_app[a.id]
        if a.status in (S.APPROVED, S.DISBURSED):
            approved_by_call[a.call_id] += a.approved_fen
            assert (a.status == S.DISBURSED) == (a.disbursed_fen == a.approved_fen)
        else:
            assert a.approved_fen is None and a.disbursed_fen == 0
        paid_by_call[a.call_id] += paid_by_app[a.id]
    calls = list(db.session.scalars(select(Call)))
    for call in calls:
        assert call.approved_fen == approved_by_call[call.id] <= call.budget_fen
        assert call.disbursed_fen == paid_by_call[call.id]
        assert call.remaining_fen == call.budget_fen - approved_by_call[call.id]

    funds = list(db.session.scalars(select(Fund)))
    figures = fund_figures(funds)
    for fund in funds:
        own = [c for c in calls if c.fund_id == fund.id]
        f = figures[fund.id]
        assert f.budget_fen == fund.budget_fen
        assert f.committed_fen == sum(c.budget_fen for c in own)
        assert f.approved_fen == sum(approved_by_call[c.id] for c in own)
        assert f.disbursed_fen == sum(paid_by_call[c.id] for c in own)
        assert f.remaining_fen == fund.budget_fen - sum(c.budget_fen for c in own)
    assert sum(f.disbursed_fen for f in figures.values()) == sum(t.amount_fen for t in paid)
