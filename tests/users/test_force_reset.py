"""Admins force a password reset: the old password stops working at once, every session of
the user ends, and a one-time link lets them choose a new one (mailed, or shown to pass on).
The page, the API and the command line."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from opc.auth.models import PasswordReset
from opc.auth.tasks import prune_password_resets
from opc.core.db import utcnow
from tests.auth.helpers import NEW_PASSWORD, count, is_logged_in, rows, text
from tests.conftest import csrf_token, login
from tests.core.helpers import error_of, table_counts
from tests.fixtures.factories import PASSWORD

EN = {"Accept-Language": "en"}
SHOWN_LINK = re.compile(r'<code class="secret">https?://localhost(/password/reset/[\w-]+)</code>')


def force(client, user, revoke_tokens=False):
    token = csrf_token(client, f"/users/{user.id}")
    data = {"csrf_token": token}
    if revoke_tokens:
        data["revoke_tokens"] = "y"
    return client.post(f"/users/{user.id}/reset-password", data=data, headers=EN)


def choose(client, path, password=NEW_PASSWORD):
    token = csrf_token(client, path)
    data = {"csrf_token": token, "password": password, "confirm": password}
    return client.post(path, data=data, headers=EN)


def test_without_mail_the_admin_sees_the_link_and_the_old_password_stops_working(
    app, client, make, as_user
):
    user = make.user("staff")
    device = app.test_client()
    login(device, user.email)
    admin = as_user("admin")

    response = force(client, user)

    assert response.status_code == 302  # post/redirect/get: a reload sends nothing again
    page = text(client.get(response.headers["Location"], headers=EN))
    path = SHOWN_LINK.search(page).group(1)
    assert not SHOWN_LINK.search(text(client.get(f"/users/{user.id}")))  # shown once
    assert not is_logged_in(device)
    assert login(app.test_client(), user.email, PASSWORD).status_code == 401
    [reset] = rows(app, PasswordReset)
    assert reset.requested_by_id == admin.id
    hours = app.config["PASSWORD_RESET_ADMIN_LINK_HOURS"]
    assert abs(reset.expires_at - utcnow() - timedelta(hours=hours)) < timedelta(minutes=1)
    assert is_logged_in(client)  # the admin's own session stays

    stranger = app.test_client()
    assert choose(stranger, path).status_code == 302
    assert login(stranger, user.email, NEW_PASSWORD).status_code == 302


def test_with_mail_the_link_goes_to_the_user_in_their_language(
    app, client, make, as_user, smtp_server
):
    user = make.user("staff", locale="zh")
    as_user("admin")

    response = force(client, user)

    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers=EN)
    assert f"sent to {user.email}" in text(page) and "/password/reset/" not in text(page)
    [(to, raw)] = smtp_server.wait_for(1)
    subject, body = smtp_server.text(raw)
    assert to == [user.email]
    assert "管理员" in subject and "管理员" in body  # the user's language, not the admin's
    assert choose(app.test_client(), smtp_server.link()).status_code == 302


def test_a_forced_reset_may_revoke_the_tokens_too(app, client, make, api, as_user):
    kept, revoked = make.user("staff"), make.user("staff")
    kept_api, revoked_api = api(kept), api(revoked)
    as_user("admin")

    force(client, kept)
    force(client, revoked, revoke_tokens=True)

    assert kept_api.get("/users/me").status_code == 200
    assert revoked_api.get("/users/me").status_code == 401


@pytest.mark.parametrize(
    ("role", "active", "code"),
    [("provider", True, "no_password_login"), ("staff", False, "no_password_login")],
)
def test_accounts_without_a_password_login_are_refused(app, make, api, role, active, code):
    admin_api = api(make.user("admin"))
    user = make.user(role, is_active=active)
    before = table_counts(app)

    response = admin_api.post(f"/users/{user.id}/password-reset", json={})

    assert response.status_code == 409 and error_of(response)["code"] == code
    assert table_counts(app) == before


def test_an_admin_changes_their_own_password_on_the_account_page(app, client, as_user):
    admin = as_user("admin")
    before = table_counts(app)

    response = force(client, admin)

    assert response.status_code == 422 and "account page" in text(response)
    assert is_logged_in(client) and table_counts(app) == before


def test_only_admins_force_a_reset(app, client, make, api, as_user):
    user = make.user("staff")
    staff_api = api(as_user("staff"))
    before = table_counts(app)

    assert force(client, user).status_code == 403
    assert staff_api.post(f"/users/{user.id}/password-reset", json={}).status_code == 403
    assert table_counts(app) == before


def test_the_api_returns_the_link_when_it_was_not_mailed(app, make, api):
    admin, user = make.user("admin"), make.user("staff")

    body = api(admin).post(f"/users/{user.id}/password-reset", json={}).get_json()

    assert body["user_id"] == user.id and body["mailed"] is False
    path = body["link"].split("localhost", 1)[1]
    assert choose(app.test_client(), path).status_code == 302
    assert api(admin).post("/users/2147483647/password-reset", json={}).status_code == 404


def test_the_command_line_prints_the_link_last(app, make):
    user = make.user("admin")

    result = app.test_cli_runner().invoke(args=["users", "reset-password", user.email])

    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    assert "/password/reset/" in link
    assert choose(app.test_client(), link.split("localhost", 1)[1]).status_code == 302
    unknown = app.test_cli_runner().invoke(args=["users", "reset-password", "x@example.cn"])
    assert unknown.exit_code == 1 and "no user" in unknown.output


def test_the_user_page_asks_before_it_resets(client, make, as_user):
    user = make.user("staff")
    as_user("admin")

    html = text(client.get(f"/users/{user.id}", headers=EN))

    assert f'action="/users/{user.id}/reset-password"' in html
    assert 'data-confirm="Reset the password of' in html


def test_housekeeping_deletes_ended_links_after_the_retention(app, ctx, make):
    from opc.auth import resets

    resets.force_reset(make.user("staff"), actor=None)
    resets.force_reset(make.user("staff"), actor=None)
    hours = app.config["PASSWORD_RESET_ADMIN_LINK_HOURS"]
    retention = timedelta(days=app.config["SESSION_RETENTION_DAYS"])

    assert prune_password_resets(utcnow()) == 0  # pending
    assert prune_password_resets(utcnow() + timedelta(hours=hours) + retention / 2) == 0
    assert prune_password_resets(utcnow() + timedelta(hours=hours, minutes=1) + retention) == 2
    assert count(app, PasswordReset) == 0
