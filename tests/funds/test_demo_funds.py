"""The demo's funds: a fund, a closed call reviewed blind and decided with tranches paid,
an open call with submissions and the member's draft; the kept sums match the records."""

from __future__ import annotations

from sqlalchemy import func, select

from opc.core.db import utcnow
from opc.demo import MEMBER_TEAM, seed_demo
from opc.extensions import db
from opc.funds.application_models import Application, Attachment, Disbursement
from opc.funds.models import Call, Fund
from opc.funds.rankings import call_ranking
from opc.funds.review_models import Review
from opc.teams.models import Team


def test_the_demo_has_a_fund_an_open_and_a_closed_call_scored_decided_and_paid(app, demo_data):
    demo_data()
    with app.app_context():
        fund = db.session.scalar(select(Fund))
        calls = list(db.session.scalars(select(Call).order_by(Call.opens_at)))
        now = utcnow()
        closed, current = calls
        assert closed.closes_at < now and current.is_open(now)
        assert fund.calls_fen == closed.budget_fen + current.budget_fen
        statuses = dict(
            db.session.execute(
                select(Application.status, func.count())
                .where(Application.call_id == closed.id)
                .group_by(Application.status)
            ).all()
        )
        assert statuses.get("approved", 0) + statuses.get("disbursed", 0) == 5
        assert statuses.get("disbursed") == 1 and statuses.get("rejected") == 3
        # Every submission came before the close, and carries its business plan.
        for application in db.session.scalars(select(Application)):
            if application.submitted_at is not None:
                assert application.submitted_at < application.call.closes_at
            assert [a.document for a in application.attachments] == ["商业计划书"]
        ranking = call_ranking(closed)
        assert sum(r.figures.reviewed for r in ranking) == 7
        assert db.session.scalar(select(func.count()).where(Review.status == "recused")) == 1
        approved = db.session.scalar(
            select(func.sum(Application.approved_fen)).where(Application.call_id == closed.id)
        )
        paid = db.session.scalar(
            select(func.sum(Disbursement.amount_fen)).where(Disbursement.status == "paid")
        )
        assert closed.approved_fen == approved and closed.disbursed_fen == paid > 0
        member = db.session.scalar(
            select(Application)
            .join(Team, Team.id == Application.team_id)
            .where(Team.name_zh == MEMBER_TEAM, Application.call_id == current.id)
        )
        assert member.status == "draft"
        before = [
            db.session.scalar(select(func.count()).select_from(m))
            for m in (Application, Attachment)
        ]
        assert seed_demo() is False
        after = [
            db.session.scalar(select(func.count()).select_from(m))
            for m in (Application, Attachment)
        ]
        assert after == before
        db.session.remove()
