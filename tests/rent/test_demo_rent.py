"""The demo's rent: a policy per park, a year of issued statements, payments, some owed."""

from __future__ import annotations

from sqlalchemy import distinct, func, select

from opc.core.dates import local_today
from opc.extensions import db
from opc.rent.balances import balances
from opc.rent.models import Policy, Statement
from opc.rent.payments_model import Payment
from opc.rent.queries import waived_to_date


def test_the_demo_has_policies_a_year_of_statements_and_payments(app, demo_data):
    demo_data()
    with app.app_context():
        policies = list(db.session.scalars(select(Policy)))
        assert {p.code for p in policies} == {"SF13-4", "SJS-RENT"}
        assert all(v > 0 for v in waived_to_date([p.id for p in policies]).values())
        months = db.session.scalar(select(func.count(distinct(Statement.month))))
        assert months == 12
        assert db.session.scalar(select(func.count()).select_from(Payment)) > 0
        for park_id in {p.park_id for p in policies}:
            found = balances(db.session, local_today(), park_id=park_id).values()
            assert all(b.balance_fen >= 0 for b in found)
            assert sum(b.balance_fen for b in found) > 0  # some teams owe
        db.session.remove()
