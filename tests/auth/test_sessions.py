"""Login sessions: a safe cookie, and a session that ends for good at logout, at a password
change and after SESSION_LIFETIME_HOURS, even when an attacker replays the old cookie."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from opc.auth.models import User, UserSession
from tests.auth.helpers import (
    NEW_PASSWORD,
    WRONG_PASSWORD,
    count,
    is_logged_in,
    redirects_to_login,
    replay,
    rows,
    session_cookie,
    text,
)
from tests.conftest import csrf_token, login
from tests.fixtures.factories import PASSWORD


def change_password(client, current, new, confirm=None, revoke_tokens=False):
    token = csrf_token(client, "/account")
    data = {
        "pw-csrf_token": token,
        "pw-current": current,
        "pw-password": new,
        "pw-confirm": new if confirm is None else confirm,
    }
    if revoke_tokens:
        data["pw-revoke_tokens"] = "y"
    return client.post("/account", data=data)


def test_session_cookie_is_httponly_and_samesite_lax(client, make):
    staff = make.user("staff")

    response = login(client, staff.email)

    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    attributes = {a.strip().lower() for a in cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


def test_logout_ends_the_session_and_a_replayed_cookie_is_refused(app, client, make):
    staff = make.user("staff")
    login(client, staff.email)
    laptop = app.test_client()  # the same person, logged in on another device
    login(laptop, staff.email)
    token = csrf_token(client, "/account")
    stolen = session_cookie(client)

    response = client.post("/logout", data={"csrf_token": token})

    assert redirects_to_login(response)
    assert not is_logged_in(client)
    replay(client, stolen)
    assert redirects_to_login(client.get("/account"))
    # Logging out ends this session only.
    assert is_logged_in(laptop)


def test_password_change_ends_every_session_of_the_user(app, client, make):
    staff, colleague = make.user("staff"), make.user("staff")
    login(client, staff.email)
    laptop = app.test_client()
    login(laptop, staff.email)
    bystander = app.test_client()
    login(bystander, colleague.email)
    [before] = rows(app, User, User.id == staff.id)
    csrf_token(client, "/account")  # the token is in the cookie from here on
    stolen = session_cookie(client)

    response = change_password(client, PASSWORD, NEW_PASSWORD)

    assert redirects_to_login(response)
    replay(client, stolen)
    assert redirects_to_login(client.get("/account"))
    assert not is_logged_in(laptop)
    assert is_logged_in(bystander)  # other people's sessions are untouched
    [after] = rows(app, User, User.id == staff.id)
    assert after.password_hash.startswith("$argon2id$")
    assert after.password_hash != before.password_hash
    assert login(app.test_client(), staff.email, PASSWORD).status_code == 401
    assert login(app.test_client(), staff.email, NEW_PASSWORD).status_code == 302


def test_wrong_current_password_changes_nothing(app, client, make):
    staff = make.user("staff")
    login(client, staff.email)
    [before] = rows(app, User, User.id == staff.id)

    response = change_password(client, WRONG_PASSWORD, NEW_PASSWORD)

    assert response.status_code == 422
    assert "This is not your current password." in text(response)
    [after] = rows(app, User, User.id == staff.id)
    assert after.password_hash == before.password_hash
    assert is_logged_in(client)
    assert count(app, UserSession, UserSession.revoked_at.is_not(None)) == 0


def test_mismatched_new_passwords_change_nothing(app, client, make):
    staff = make.user("staff")
    login(client, staff.email)
    [before] = rows(app, User, User.id == staff.id)

    response = change_password(client, PASSWORD, NEW_PASSWORD, confirm=NEW_PASSWORD + "x")

    assert response.status_code == 422
    assert "Passwords differ." in text(response)
    [after] = rows(app, User, User.id == staff.id)
    assert after.password_hash == before.password_hash
    assert is_logged_in(client)


def test_a_session_ends_lifetime_hours_after_login_even_if_active(app, client, make, time_machine):
    """The cookie stays freshly signed by activity; the server still ends the login."""
    lifetime = timedelta(hours=app.config["SESSION_LIFETIME_HOURS"])
    logged_in_at = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    time_machine.move_to(logged_in_at, tick=False)
    staff = make.user("staff")
    login(client, staff.email)

    time_machine.move_to(logged_in_at + lifetime - timedelta(hours=1), tick=False)
    assert is_logged_in(client)
    token = csrf_token(client, "/account")
    client.post("/lang", data={"lang": "en", "next": "/account", "csrf_token": token})

    time_machine.move_to(logged_in_at + lifetime + timedelta(minutes=1), tick=False)
    assert redirects_to_login(client.get("/account"))
