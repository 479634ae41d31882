"""Who sees what: members and reviewers stay out of administration and other parks."""

from __future__ import annotations

from opc.auth.models import User
from tests.auth.helpers import count
from tests.conftest import csrf_token


def test_member_may_not_manage_users(app, client, as_user):
    as_user("member")

    assert client.get("/users").status_code == 403


def test_member_cannot_create_a_user(app, client, as_user):
    as_user("member")
    users_before = count(app, User)

    response = client.post(
        "/users",
        data={
            "csrf_token": csrf_token(client, "/account"),
            "email": "intruder@example.cn",
            "role": "admin",
            "password": "long-enough-password",
        },
    )

    assert response.status_code == 403
    assert count(app, User) == users_before


def test_member_may_not_read_the_audit_log(client, as_user):
    as_user("member")

    assert client.get("/audit/").status_code == 403


def test_admin_opens_users_and_audit(client, as_user):
    as_user("admin")

    assert client.get("/users").status_code == 200
    assert client.get("/audit/").status_code == 200


def test_reviewer_sees_no_park(client, make, as_user, api):
    park = make.park()
    reviewer = as_user("reviewer")

    assert client.get(f"/parks/{park.id}").status_code == 404
    assert api(reviewer).get(f"/parks/{park.id}").status_code == 404


def test_staff_of_one_park_cannot_see_another(client, make, as_user, api):
    mine, theirs = make.park(), make.park()
    staff = as_user("staff", parks=[mine])

    assert client.get(f"/parks/{mine.id}").status_code == 200
    assert client.get(f"/parks/{theirs.id}").status_code == 404
    assert api(staff).get(f"/parks/{theirs.id}").status_code == 404
    listed = api(staff).get("/parks").get_json()["items"]
    assert [p["id"] for p in listed] == [mine.id]
