"""The demo's compute subsidies: programmes, vouchers drawn down, a year of usage, settled
months, and seeding again adds nothing."""

from __future__ import annotations

from sqlalchemy import distinct, func, select

from opc.compute.models import Programme, UsageRecord, Voucher, VoucherAlert
from opc.compute.settlement_models import Settlement
from opc.demo import MEMBER_TEAM, seed_demo
from opc.extensions import db
from opc.teams.models import Team


def _counts() -> list[int]:
    return [
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Programme, Voucher, UsageRecord, Settlement, VoucherAlert)
    ]


def test_the_demo_has_programmes_vouchers_a_year_of_usage_and_settlements(app, demo_data):
    demo_data()
    with app.app_context():
        assert {p.name_zh for p in db.session.scalars(select(Programme))} >= {"成都市算力券"}
        vouchers = list(db.session.scalars(select(Voucher)))
        assert len({v.team_id for v in vouchers}) >= 10
        member = db.session.scalar(
            select(Voucher)
            .join(Team, Team.id == Voucher.team_id)
            .where(Team.name_zh == MEMBER_TEAM)
        )
        assert 0 < member.used_fen < member.amount_fen
        assert any(v.used_fen * 100 >= v.amount_fen * 80 for v in vouchers)  # alerts
        assert db.session.scalar(select(func.count()).select_from(VoucherAlert)) > 0
        months = db.session.scalar(select(func.count(distinct(UsageRecord.month))))
        assert months >= 10
        unsubsidised = select(func.count()).where(UsageRecord.subsidy_fen == 0)
        assert db.session.scalar(unsubsidised) > 0
        assert db.session.scalar(select(func.count()).select_from(Settlement)) > 0
        before = _counts()
        assert seed_demo() is False
        assert _counts() == before
        db.session.remove()
