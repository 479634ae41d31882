"""/api/v1/users: admins create users of every role (a provider gets its provider record);
everyone reads themselves at /users/me; refusals are specific and write nothing."""

from __future__ import annotations

from typing import Any

import pytest

from opc.auth.models import User
from opc.compute.models import Provider
from tests.conftest import login
from tests.core.helpers import error_of, rows, table_counts


def new_user(**kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "email": "li.na@opc-demo.cn",
        "role": "staff",
        "name": "李娜",
        "password": "a-long-enough-password",
    }
    body.update(kw)
    return body


@pytest.fixture
def admin(make):
    return make.user("admin")


def test_admin_creates_staff_for_parks(app, make, api, admin):
    park = make.park()
    response = api(admin).post("/users", json=new_user(park_ids=[park.id]))
    assert response.status_code == 201
    body = response.get_json()
    assert body == {
        "id": body["id"],
        "email": "li.na@opc-demo.cn",
        "name": "李娜",
        "role": "staff",
        "team_id": None,
        "park_ids": [park.id],
        "is_active": True,
    }
    assert "password" not in response.get_data(as_text=True)
    [stored] = rows(app, User, User.id == body["id"])
    assert stored.password_hash.startswith("$argon2id$")
    # The password set through the API logs in.
    client = app.test_client()
    assert login(client, "li.na@opc-demo.cn", "a-long-enough-password").status_code == 302


def test_the_email_is_stored_lower_case(make, api, admin):
    body = api(admin).post("/users", json=new_user(email="  Li.Na@OPC-Demo.CN ")).get_json()
    assert body["email"] == "li.na@opc-demo.cn"


def test_a_provider_user_gets_its_provider_record(app, make, api, admin):
    before = table_counts(app)
    response = api(admin).post(
        "/users", json=new_user(email="ops@xinghe.cn", role="provider", name="星河算力")
    )
    assert response.status_code == 201
    user_id = response.get_json()["id"]
    [provider] = rows(app, Provider)
    assert (provider.user_id, provider.name) == (user_id, "星河算力")
    after = table_counts(app)
    assert after["users"] == before["users"] + 1
    assert after["providers"] == before["providers"] + 1


@pytest.mark.parametrize("role", ["admin", "staff", "reviewer"])
def test_other_roles_get_no_provider_record(app, api, admin, role):
    assert api(admin).post("/users", json=new_user(role=role)).status_code == 201
    assert rows(app, Provider) == []


def test_a_member_is_created_in_their_team(make, api, admin):
    team = make.team()
    response = api(admin).post("/users", json=new_user(role="member", team_id=team.id))
    assert response.status_code == 201
    assert response.get_json()["team_id"] == team.id


def test_a_member_without_a_team_is_422_and_nothing_is_written(app, api, admin):
    client = api(admin)
    before = table_counts(app)
    response = client.post("/users", json=new_user(role="member"))
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_fields"
    assert list(error["fields"]) == ["team_id"]
    assert table_counts(app) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "two@@example.cn"}, "email"),
        ({"email": "nobody@"}, "email"),
        ({"role": "superuser"}, "role"),
        ({"password": "short"}, "password"),
        ({"role": "member", "team_id": 987654}, "team_id"),
        ({"park_ids": [987654]}, "park_ids"),
        ({"is_admin": True}, "is_admin"),
    ],
)
def test_bad_values_are_422_naming_the_field_and_write_nothing(app, api, admin, changes, field):
    client = api(admin)
    before = table_counts(app)
    response = client.post("/users", json=new_user(**changes))
    assert response.status_code == 422, response.get_json()
    error = error_of(response)
    assert error["code"] == "invalid_fields"
    assert field in error["fields"]
    assert table_counts(app) == before


def test_wrong_types_are_400(app, api, admin):
    client = api(admin)
    before = table_counts(app)
    response = client.post("/users", json=new_user(park_ids="1"))
    assert response.status_code == 400
    assert error_of(response)["fields"].keys() == {"park_ids"}
    response = client.post("/users", json=new_user(role="member", team_id="7"))
    assert response.status_code == 400
    assert table_counts(app) == before


def test_a_taken_email_is_409_email_taken_in_any_case(app, make, api, admin):
    make.user("staff", email="taken@example.cn")
    client = api(admin)
    before = table_counts(app)
    response = client.post("/users", json=new_user(email="Taken@Example.cn"))
    assert response.status_code == 409
    assert error_of(response)["code"] == "email_taken"
    assert table_counts(app) == before


@pytest.mark.parametrize("role", ["staff", "member", "reviewer", "provider"])
def test_only_admins_create_or_list_users(app, make, api, role):
    client = api(make.user(role))
    before = table_counts(app)
    response = client.post("/users", json=new_user())
    assert response.status_code == 403
    assert error_of(response)["code"] in ("forbidden", "insufficient_scope")
    assert table_counts(app) == before
    assert client.get("/users").status_code == 403


@pytest.mark.parametrize("role", ["admin", "staff", "member", "reviewer", "provider"])
def test_everyone_reads_themselves(make, api, role):
    user = make.user(role)
    response = api(user).get("/users/me")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["id"], body["email"], body["role"]) == (user.id, user.email, role)
    assert "password_hash" not in body


def test_users_me_needs_a_caller(client):
    response = client.get("/api/v1/users/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


def test_one_user_is_visible_to_admins_and_to_themselves_only(make, api, admin):
    staff, other = make.user("staff"), make.user("staff")
    assert api(admin).get(f"/users/{other.id}").get_json()["email"] == other.email
    client = api(staff)
    assert client.get(f"/users/{staff.id}").status_code == 200
    hidden = client.get(f"/users/{other.id}")
    assert hidden.status_code == 404
    assert hidden.get_json() == client.get("/users/987654").get_json()


def test_a_token_without_the_users_write_scope_may_not_create(app, api, admin):
    client = api(admin, scope="read")
    before = table_counts(app)
    response = client.post("/users", json=new_user())
    assert response.status_code == 403
    assert error_of(response)["code"] == "insufficient_scope"
    assert table_counts(app) == before
