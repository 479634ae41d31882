"""Programmes: admins configure a park's compute subsidy pools; the API's short form, the
defaults, bad input, and changes that would strand what was granted."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from opc.auth.models import User
from opc.compute.models import Programme
from opc.compute.operations.programmes import create_programme, update_programme
from opc.core.errors import Forbidden, RuleViolation, ValidationFailed
from opc.extensions import db
from tests.compute.helpers import D, count, draw, error_of, programme, provider, rows, voucher

CHENGDU = {
    "name": "成都市算力券",
    "budget_yuan": "1000000.00",
    "rate_percent": "50",
    "team_cap_yuan": "200000.00",
}


def test_an_admin_adds_a_programme_in_the_contracts_short_form(app, make, api, monkeypatch):
    park = make.park()
    admin = make.user("admin")
    gpu = provider(make)
    monkeypatch.setattr("opc.core.dates.utcnow", lambda: datetime(2026, 3, 10, 4, 0, tzinfo=UTC))
    body = {"park_id": park.id, **CHENGDU, "provider_ids": [gpu.id]}
    response = api(admin).post("/programmes", json=body)
    assert response.status_code == 201, response.get_json()
    out = response.get_json()
    assert out["name"] == out["name_zh"] == "成都市算力券"
    assert out["budget_yuan"] == "1000000.00" and out["rate_percent"] == "50"
    assert out["team_cap_yuan"] == "200000.00" and out["provider_ids"] == [gpu.id]
    # The defaults: a generated code, valid from the park's today to the end of that year.
    assert out["code"] == "CP2026-01"
    assert (out["valid_from"], out["valid_to"]) == ("2026-03-10", "2026-12-31")
    assert out["granted_yuan"] == "0.00" and out["remaining_yuan"] == "1000000.00"
    (stored,) = rows(app, Programme)
    assert stored.budget_fen == 100_000_000 and stored.rate_percent == Decimal("50.00")
    again = api(admin).post("/programmes", json=body)
    assert again.get_json()["code"] == "CP2026-02"  # the next free code


def test_a_programme_with_every_field(app, make, api):
    park = make.park()
    admin = make.user("admin")
    body = {
        "park_id": park.id,
        "name_zh": "科幻13条 算力券",
        "name_en": "Sci-Fi 13 compute vouchers",
        "code": "SF13-COMPUTE",
        "document": "成都市促进科幻产业发展的若干政策措施 第7条",
        "budget_yuan": "500000.00",
        "rate_percent": "12.5",
        "valid_from": "2026-01-01",
        "valid_to": "2027-06-30",
        "tracks": ["aigc_film", "ai_agents"],
    }
    response = api(admin).post("/programmes", json=body)
    assert response.status_code == 201, response.get_json()
    out = response.get_json()
    assert out["rate_percent"] == "12.5" and out["team_cap_yuan"] is None
    assert out["tracks"] == ["ai_agents", "aigc_film"] and out["code"] == "SF13-COMPUTE"
    got = api(admin).get(f"/programmes/{out['id']}").get_json()
    assert got == out


def test_a_duplicate_code_is_refused_in_the_park_only(app, make, api):
    park, other = make.park(), make.park()
    admin = make.user("admin")
    body = {"park_id": park.id, **CHENGDU, "code": "CD-2026"}
    assert api(admin).post("/programmes", json=body).status_code == 201
    again = api(admin).post("/programmes", json=body)
    assert again.status_code == 409 and error_of(again)["code"] == "programme_code_taken"
    assert api(admin).post("/programmes", json={**body, "park_id": other.id}).status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rate_percent": "0"}, "rate_percent"),
        ({"rate_percent": "100.5"}, "rate_percent"),
        ({"rate_percent": "12.345"}, "rate_percent"),
        ({"rate_percent": 50}, "rate_percent"),
        ({"budget_yuan": "0.00"}, "budget_yuan"),
        ({"budget_yuan": "10.001"}, "budget_yuan"),
        ({"team_cap_yuan": "2000000.00"}, "team_cap_yuan"),  # more than the budget
        ({"provider_ids": [999]}, "provider_ids"),
        ({"valid_from": "2026-06-01", "valid_to": "2026-05-31"}, "valid_to"),
        ({"tracks": ["poetry"]}, "tracks.0"),
        ({"name": None}, "name"),
        ({"name_zh": "别的名字"}, "name"),
        ({"code": "has space"}, "code"),
        ({"park_id": 99999}, "park_id"),
    ],
)
def test_bad_programmes_are_refused_and_nothing_is_written(app, make, api, change, field):
    park = make.park()
    make.user("admin")
    admin = make.user("admin")
    body = {"park_id": park.id, **CHENGDU, **change}
    response = api(admin).post("/programmes", json=body)
    assert response.status_code in (400, 422), response.get_json()
    if response.status_code == 422:
        assert field in error_of(response)["fields"], response.get_json()
    assert count(app, Programme) == 0


@pytest.mark.parametrize("role", ["staff", "member", "provider"])
def test_only_admins_add_programmes(app, make, api, role):
    park = make.park()
    user = make.user(role, parks=[park] if role == "staff" else None)
    response = api(user).post("/programmes", json={"park_id": park.id, **CHENGDU})
    assert response.status_code == 403
    assert count(app, Programme) == 0


def test_the_operation_itself_refuses_staff(ctx, make):
    park = make.park()
    staff = make.user("staff", parks=[park])
    actor = db.session.get(User, staff.id)
    with pytest.raises(Forbidden):
        create_programme(
            actor=actor, park_id=park.id, name_zh="x", budget_fen=100, rate_percent="50"
        )


def test_who_sees_programmes(app, make, api):
    park, other = make.park(), make.park()
    prog = programme(app, park)
    programme(app, other)
    staff = make.user("staff", parks=[park])
    member = make.user("member", team=make.team(park))
    stranger = make.user("member", team=make.team(other))
    gpu = provider(make)
    for user in (staff, member):
        listed = api(user).get("/programmes").get_json()
        assert [p["id"] for p in listed["items"]] == [prog.id]
        assert api(user).get(f"/programmes/{prog.id}").status_code == 200
    assert api(stranger).get(f"/programmes/{prog.id}").status_code == 404
    assert api(gpu.user).get("/programmes").get_json()["items"] == []
    assert api(gpu.user).get(f"/programmes/{prog.id}").status_code == 404
    assert api(staff).get(f"/programmes?park_id={other.id}").status_code == 404


def test_the_pool_is_reported(app, make, api):
    park = make.park()
    gpu = provider(make)
    prog = programme(app, park, provider_ids=[gpu.id], budget_fen=10_000_000)
    teams = [make.team(park, status="resident") for _ in range(2)]
    first = voucher(app, prog, teams[0], 3_000_000)
    voucher(app, prog, teams[1], 1_000_000)
    voucher(app, prog, teams[1], 500_000)
    draw(app, first, gpu, 120_050, datetime(2026, 3, 2, tzinfo=UTC))
    out = api(make.user("admin")).get(f"/programmes/{prog.id}").get_json()
    assert out["granted_yuan"] == "45000.00" and out["used_yuan"] == "1200.50"
    assert out["remaining_yuan"] == "55000.00"
    assert (out["teams"], out["vouchers"]) == (2, 3)


# --- changing a programme never strands a voucher ----------------------------------------


@pytest.fixture
def granted(app, make):
    """A programme with a designated provider and a ¥30,000 voucher (of a ¥100,000 pool)."""
    park = make.park()
    gpu, other = provider(make), provider(make, "另一家")
    prog = programme(app, park, provider_ids=[gpu.id, other.id], team_cap_fen=5_000_000, code="CD")
    team = make.team(park, status="resident")
    v = voucher(
        app,
        prog,
        team,
        3_000_000,
        valid_from=D("2026-03-01"),
        valid_to=D("2026-09-30"),
        provider_ids=[gpu.id],
    )
    return prog, v, gpu, other


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"budget_fen": 2_999_999}, "budget_below_granted"),
        ({"team_cap_fen": 2_999_999}, "cap_below_granted"),
        ({"valid_from": D("2026-03-02")}, "vouchers_outside_validity"),
        ({"valid_to": D("2026-09-29")}, "vouchers_outside_validity"),
        ("drop the voucher's provider", "provider_in_use"),
    ],
)
def test_a_change_that_strands_a_voucher_is_refused(ctx, granted, change, code):
    prog, _v, gpu, other = granted
    if isinstance(change, str):
        change = {"provider_ids": [other.id]}
    found = db.session.get(Programme, prog.id)
    with pytest.raises(RuleViolation) as refused:
        update_programme(found, actor=None, **change)
    assert refused.value.code == code
    db.session.rollback()
    again = db.session.get(Programme, prog.id)
    assert again.budget_fen == 10_000_000 and [p.id for p in again.providers] == [
        gpu.id,
        other.id,
    ]


def test_a_change_within_what_was_granted_is_kept(ctx, granted):
    prog, _v, gpu, _other = granted
    found = db.session.get(Programme, prog.id)
    update_programme(
        found,
        actor=None,
        budget_fen=3_000_000,
        team_cap_fen=None,
        valid_from=D("2026-03-01"),
        valid_to=D("2026-09-30"),
        provider_ids=[gpu.id],
        rate_percent="60",
        name_en="Chengdu compute vouchers",
    )
    db.session.expire_all()
    again = db.session.get(Programme, prog.id)
    assert again.budget_fen == 3_000_000 and again.team_cap_fen is None
    assert again.rate_percent == Decimal("60.00") and [p.id for p in again.providers] == [gpu.id]
    assert again.name_en == "Chengdu compute vouchers" and again.name_zh == "成都算力券"


def test_a_change_is_checked_like_a_new_programme(ctx, granted):
    prog = granted[0]
    found = db.session.get(Programme, prog.id)
    with pytest.raises(ValidationFailed) as refused:
        update_programme(found, actor=None, rate_percent="0", name_zh="")
    assert set(refused.value.fields) == {"rate_percent", "name_zh"}
