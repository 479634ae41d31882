"""The command line (API.md): `users create`, `users token`, `seed-demo`; a refused command exits
non-zero with a clear message and writes nothing."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

import pytest

from opc.api.routing import ENDPOINTS
from opc.auth.models import ApiToken, User
from opc.compute.models import Provider
from opc.parks.models import Park
from tests.conftest import login
from tests.core.helpers import count, rows, table_counts

PASSWORD = "a-long-enough-password"


@pytest.fixture
def cli(app) -> Any:
    runner = app.test_cli_runner()

    def run(*args: str, password: str | None = PASSWORD, **kw: Any) -> Any:
        env = {"OPC_PASSWORD": password} if password is not None else {}
        return runner.invoke(args=list(args), env=env, **kw)

    return run


def no_password_in_env(monkeypatch: Any) -> None:
    monkeypatch.delenv("OPC_PASSWORD", raising=False)


# --- users create ---------------------------------------------------------------------------


def test_create_staff_for_parks_with_the_password_from_the_environment(app, client, make, cli):
    a, b = make.park(), make.park()
    result = cli(
        "users",
        "create",
        "Li.Na@OPC.cn",
        "--role",
        "staff",
        "--park",
        str(a.id),
        "--park",
        str(b.id),
        "--name",
        "李娜",
    )
    assert result.exit_code == 0, result.output
    [user] = rows(app, User, User.email == "li.na@opc.cn")
    assert f"created user {user.id} li.na@opc.cn (staff)" in result.output
    assert user.name == "李娜"
    assert PASSWORD not in result.output
    assert login(client, "li.na@opc.cn", PASSWORD).status_code == 302
    assert client.get(f"/parks/{b.id}").status_code == 200


def test_create_a_member_of_a_team(app, make, cli):
    team = make.team()
    result = cli("users", "create", "m@opc.cn", "--role", "member", "--team", str(team.id))
    assert result.exit_code == 0, result.output
    assert rows(app, User, User.email == "m@opc.cn")[0].team_id == team.id


def test_a_provider_gets_its_provider_record_and_needs_no_password(app, cli, monkeypatch):
    no_password_in_env(monkeypatch)
    result = cli(
        "users",
        "create",
        "gpu@xinghe.cn",
        "--role",
        "provider",
        "--name",
        "星河算力",
        password=None,
    )
    assert result.exit_code == 0, result.output
    [user] = rows(app, User, User.email == "gpu@xinghe.cn")
    [provider] = rows(app, Provider)
    assert (provider.user_id, provider.name) == (user.id, "星河算力")
    assert user.password_hash is None


def test_without_opc_password_the_password_is_prompted_twice(app, cli, monkeypatch):
    no_password_in_env(monkeypatch)
    result = cli(
        "users",
        "create",
        "r@opc.cn",
        "--role",
        "reviewer",
        password=None,
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert count(app, User, User.email == "r@opc.cn") == 1


@pytest.mark.parametrize(
    ("args", "password", "says"),
    [
        (("bad@opc.cn", "--role", "superuser"), PASSWORD, "Invalid value for '--role'"),
        (("not-an-email", "--role", "staff"), PASSWORD, "email"),
        (("short@opc.cn", "--role", "staff"), "short", "At least 10 characters"),
        (("m@opc.cn", "--role", "member"), PASSWORD, "A team member needs a team"),
        (("m@opc.cn", "--role", "member", "--team", "987654"), PASSWORD, "No such team"),
        (("s@opc.cn", "--role", "staff", "--park", "987654"), PASSWORD, "No such park: 987654"),
        (("s@opc.cn", "--role", "staff", "--park", "one"), PASSWORD, "'one' is not a valid"),
    ],
)
def test_a_refused_create_exits_non_zero_says_why_and_writes_nothing(
    app, cli, args, password, says
):
    before = table_counts(app)
    result = cli("users", "create", *args, password=password)
    assert result.exit_code != 0
    assert says in result.output
    assert "Traceback" not in result.output
    assert table_counts(app) == before


def test_a_taken_email_is_refused(app, make, cli):
    make.user("staff", email="taken@opc.cn")
    before = table_counts(app)
    result = cli("users", "create", "TAKEN@opc.cn", "--role", "staff")
    assert result.exit_code != 0
    assert "exists already" in result.output
    assert table_counts(app) == before


# --- users token ----------------------------------------------------------------------------


def last_line(output: str) -> str:
    return output.strip().splitlines()[-1].strip()


def test_a_token_is_the_last_line_and_is_stored_hashed(app, make, cli):
    user = make.user("admin", email="boss@opc.cn")
    result = cli("users", "token", "Boss@opc.cn", "--scope", "read", "--name", "bi")
    assert result.exit_code == 0, result.output
    token = last_line(result.output)
    assert token.startswith("opc_") and " " not in token
    [stored] = rows(app, ApiToken)
    assert stored.user_id == user.id and stored.scope == "read" and stored.name == "bi"
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.prefix == token[:12]


def test_a_usage_write_token_acts_with_that_scope_only(app, make, cli):
    provider_user = make.user("admin", email="ops@xinghe.cn")
    result = cli("users", "token", "ops@xinghe.cn", "--scope", "usage:write")
    assert result.exit_code == 0, result.output
    token = last_line(result.output)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    # A known token (not 401) whose scope covers nothing but usage:write, even for an admin.
    for path in ("/api/v1/users/me", "/api/v1/parks", "/api/v1/audit"):
        response = client.get(path, headers=headers)
        assert response.status_code == 403, path
        assert response.get_json()["error"]["code"] == "insufficient_scope"
    refused = client.post("/api/v1/parks", headers=headers, json={})
    assert refused.status_code == 403
    # Routes that ask for usage:write accept it (the body may still be refused, not the token).
    for ep in ENDPOINTS:
        if ep.scope == "usage:write" and "<" not in ep.rule:
            for method in ep.methods:
                response = client.open(f"/api/v1{ep.rule}", method=method, headers=headers, json={})
                assert response.status_code not in (401, 403), (ep.rule, response.get_json())
    # The same command with another scope gives a token that reads.
    reader = last_line(cli("users", "token", "ops@xinghe.cn", "--scope", "read").output)
    me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {reader}"})
    assert me.status_code == 200 and me.get_json()["id"] == provider_user.id


@pytest.mark.parametrize(
    ("email", "scope", "says"),
    [
        ("nobody@opc.cn", "all", "no user with e-mail nobody@opc.cn"),
        ("boss@opc.cn", "everything", "Unknown scope"),
        ("boss@opc.cn", "", "Unknown scope"),
    ],
)
def test_a_refused_token_exits_non_zero_and_writes_nothing(app, make, cli, email, scope, says):
    make.user("admin", email="boss@opc.cn")
    before = table_counts(app)
    result = cli("users", "token", email, "--scope", scope)
    assert result.exit_code != 0
    assert says in result.output
    assert table_counts(app) == before


# --- seed-demo ------------------------------------------------------------------------------


def test_seed_demo_creates_both_parks_and_every_role_and_is_idempotent(app, client, cli):
    first = cli("seed-demo")
    assert first.exit_code == 0, first.output
    assert "Seeded demo data." in first.output
    seeded = table_counts(app)
    second = cli("seed-demo")
    assert second.exit_code == 0, second.output
    assert "nothing to do" in second.output
    assert table_counts(app) == seeded

    parks = {p.code: p for p in rows(app, Park)}
    chengdu, shougang = parks["CD-OPC"], parks["SG-SCIFI"]
    assert (chengdu.total_area_m2, chengdu.team_cap) == (Decimal("2500.00"), 100)
    assert "成都" in chengdu.name_zh and "Chengdu" in chengdu.name_en
    assert "首钢" in shougang.name_zh and shougang.timezone == "Asia/Shanghai"
    users = rows(app, User)
    assert {u.role for u in users} == {"admin", "staff", "reviewer", "member", "provider"}
    # Every provider user (the demo login's and the other platforms') has its provider record.
    providers = sorted(u.id for u in users if u.role == "provider")
    assert sorted(p.user_id for p in rows(app, Provider)) == providers
    assert any(u.email == "provider@opc-demo.cn" for u in users if u.id in providers)
    staff = next(u for u in users if u.role == "staff")
    assert login(client, staff.email, "opc-demo-2026").status_code == 302
    assert client.get(f"/parks/{chengdu.id}").status_code == 200
    assert client.get(f"/parks/{shougang.id}").status_code == 200


def test_the_demo_parks_keep_their_own_rules(app, demo_data):
    """The demo data obeys what the app enforces: units within the area, residents within cap.
    (The seeding the command does is the one above; the data is the demo_data fixture's.)"""
    from sqlalchemy import func, select

    from opc.extensions import db
    from opc.space.models import Unit
    from opc.teams.models import Team

    demo_data()
    with app.app_context():
        for park in db.session.scalars(select(Park)):
            units = db.session.scalar(
                select(func.coalesce(func.sum(Unit.area_m2), 0)).where(Unit.park_id == park.id)
            )
            residents = db.session.scalar(
                select(func.count())
                .select_from(Team)
                .where(Team.park_id == park.id, Team.status == "resident")
            )
            assert Decimal(str(units)) <= park.total_area_m2, park.code
            assert 0 < residents <= park.team_cap, park.code
        db.session.remove()


def test_seed_demo_if_configured_does_nothing_when_switched_off(app, cli):
    assert app.config["SEED_DEMO_ON_START"] is False
    result = cli("seed-demo", "--if-configured")
    assert result.exit_code == 0
    assert count(app, Park) == 0 and count(app, User) == 0
