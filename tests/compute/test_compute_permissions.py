"""Who may do and see what in compute subsidies: each predicate and each visibility filter,
for every role, on the records they are about."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from opc.auth.models import User
from opc.compute.models import Programme, Provider, UsageRecord, Voucher
from opc.compute.permissions import (
    can_grant_vouchers,
    can_issue_settlements,
    can_manage_programmes,
    can_view_programme,
    can_view_provider,
    can_view_settlement,
    can_view_usage,
    can_view_voucher,
    can_write_usage,
)
from opc.compute.settlement_models import Settlement
from opc.core.permissions import can, visible
from opc.extensions import db
from opc.parks.models import Park
from opc.teams.models import Team
from tests.compute.helpers import draw, programme, provider, voucher


@pytest.fixture
def world(app, make):
    """Two parks; in the first a programme, a team with a voucher drawn by provider one,
    and a settlement with provider one; users of every role."""
    park, elsewhere = make.park(), make.park()
    one, two = provider(make, "一号算力"), provider(make, "二号算力")
    prog = programme(app, park, provider_ids=[one.id])
    team, neighbour = make.team(park, status="resident"), make.team(park, status="resident")
    v = voucher(app, prog, team, 100_000)
    record_id = draw(app, v, one, 1_000, datetime(2026, 3, 1, 2, 0, tzinfo=UTC))
    with app.app_context(), Session(db.engine) as session:
        settlement = Settlement(
            park_id=park.id,
            provider_id=one.id,
            month="2026-03",
            records=1,
            gpu_hours_hundredths=100,
            cost_fen=2_000,
            subsidy_fen=1_000,
            issued_at=datetime(2026, 4, 1, tzinfo=UTC),
        )
        session.add(settlement)
        session.commit()
        settlement_id = settlement.id
    users = {
        "admin": make.user("admin"),
        "staff": make.user("staff", parks=[park]),
        "other_staff": make.user("staff", parks=[elsewhere]),
        "member": make.user("member", team=team),
        "neighbour": make.user("member", team=neighbour),
        "stranger": make.user("member", team=make.team(elsewhere)),
        "reviewer": make.user("reviewer"),
        "provider": one.user,
        "other_provider": two.user,
        "inactive_admin": make.user("admin", is_active=False),
    }
    ids = {
        "park": park.id,
        "programme": prog.id,
        "team": team.id,
        "voucher": v.id,
        "record": record_id,
        "settlement": settlement_id,
        "provider": one.id,
        "other_provider": two.id,
    }
    return users, ids


def _load(ids):
    return {
        "park": db.session.get(Park, ids["park"]),
        "programme": db.session.get(Programme, ids["programme"]),
        "team": db.session.get(Team, ids["team"]),
        "voucher": db.session.get(Voucher, ids["voucher"]),
        "record": db.session.get(UsageRecord, ids["record"]),
        "settlement": db.session.get(Settlement, ids["settlement"]),
        "provider": db.session.get(Provider, ids["provider"]),
        "other_provider": db.session.get(Provider, ids["other_provider"]),
    }


# Who passes each rule, on which record: everyone else is refused.
CASES = [
    (can_manage_programmes, "park", {"admin"}),
    (can_view_programme, "programme", {"admin", "staff", "member", "neighbour"}),
    (can_grant_vouchers, "park", {"admin", "staff"}),
    (can_grant_vouchers, "programme", {"admin", "staff"}),
    (can_grant_vouchers, "team", {"admin", "staff"}),
    (can_view_voucher, "voucher", {"admin", "staff", "member"}),
    (can_view_voucher, "team", {"admin", "staff", "member"}),
    # Staff upload a provider's file on its behalf (the upload holds them to their parks).
    (can_write_usage, "provider", {"admin", "staff", "other_staff", "provider"}),
    (can_view_usage, "record", {"admin", "staff", "member", "provider"}),
    (can_view_usage, "team", {"admin", "staff", "member"}),
    (can_issue_settlements, "park", {"admin", "staff"}),
    (can_view_settlement, "settlement", {"admin", "staff", "provider"}),
    # The platforms serve every park: any staff may choose them.
    (can_view_provider, "provider", {"admin", "staff", "other_staff", "provider"}),
    (can_view_provider, "other_provider", {"admin", "staff", "other_staff", "other_provider"}),
]


@pytest.mark.parametrize(
    ("rule", "of", "allowed"), CASES, ids=[f"{r.__name__}-{o}" for r, o, _a in CASES]
)
def test_who_passes_each_rule(ctx, world, rule, of, allowed):
    users, ids = world
    records = _load(ids)
    passed = {
        name for name, user in users.items() if rule(db.session.get(User, user.id), records[of])
    }
    assert passed == allowed


def test_without_a_record_the_rules_ask_the_role(ctx, world):
    users, _ids = world
    role_of = {name: db.session.get(User, user.id) for name, user in users.items()}
    assert can_grant_vouchers(role_of["staff"]) and not can_grant_vouchers(role_of["member"])
    assert can_view_voucher(role_of["member"]) and not can_view_voucher(role_of["provider"])
    assert can_write_usage(role_of["provider"]) and not can_write_usage(role_of["member"])
    assert can_view_settlement(role_of["provider"]) and not can_view_settlement(role_of["member"])
    assert can_view_provider(role_of["staff"]) and not can_view_provider(role_of["member"])
    assert not can_manage_programmes(role_of["staff"]) and not can_view_provider(None)


def test_the_rules_answer_by_name(ctx, world):
    users, ids = world
    records = _load(ids)
    member = db.session.get(User, users["member"].id)
    assert can(member, "vouchers.view", records["voucher"])
    assert can(member, "programmes.view", records["programme"])
    assert not can(member, "vouchers.grant", records["programme"])
    assert not can(member, "settlements.view", records["settlement"])


# What each role's lists hold (the visibility filters).
SEEN = {
    "admin": {"programmes": 1, "vouchers": 1, "records": 1, "settlements": 1, "providers": 2},
    "staff": {"programmes": 1, "vouchers": 1, "records": 1, "settlements": 1, "providers": 2},
    "other_staff": {"programmes": 0, "vouchers": 0, "records": 0, "settlements": 0, "providers": 2},
    "member": {"programmes": 1, "vouchers": 1, "records": 1, "settlements": 0, "providers": 0},
    "neighbour": {"programmes": 1, "vouchers": 0, "records": 0, "settlements": 0, "providers": 0},
    "stranger": {"programmes": 0, "vouchers": 0, "records": 0, "settlements": 0, "providers": 0},
    "reviewer": {"programmes": 0, "vouchers": 0, "records": 0, "settlements": 0, "providers": 0},
    "provider": {"programmes": 0, "vouchers": 0, "records": 1, "settlements": 1, "providers": 1},
    "other_provider": {
        "programmes": 0,
        "vouchers": 0,
        "records": 0,
        "settlements": 0,
        "providers": 1,
    },
}
MODELS = {
    "programmes": Programme,
    "vouchers": Voucher,
    "records": UsageRecord,
    "settlements": Settlement,
    "providers": Provider,
}


@pytest.mark.parametrize("role", sorted(SEEN))
def test_what_each_role_sees(ctx, world, role):
    users, _ids = world
    user = db.session.get(User, users[role].id)
    seen = {
        name: len(db.session.scalars(select(model).where(visible(user, model))).all())
        for name, model in MODELS.items()
    }
    assert seen == SEEN[role]
