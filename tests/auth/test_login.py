"""Logging in with e-mail and password: refusals are clear, recorded and never log anyone in."""

from __future__ import annotations

import pytest

from opc.auth import operations as ops
from opc.auth.models import LoginAttempt, User, UserSession
from tests.auth.helpers import WRONG_PASSWORD, count, is_logged_in, rows, text
from tests.conftest import csrf_token, login
from tests.fixtures.factories import PASSWORD


def test_wrong_password_is_refused_clearly_and_recorded(app, client, make):
    staff = make.user("staff")

    response = login(client, staff.email, WRONG_PASSWORD)

    assert response.status_code == 401
    assert "Wrong e-mail or password." in text(response)
    assert not is_logged_in(client)
    [attempt] = rows(app, LoginAttempt)
    assert (attempt.email, attempt.succeeded) == (staff.email, False)
    assert count(app, UserSession) == 0


def test_an_api_only_account_cannot_log_in_to_the_pages(app, client, make, api):
    """A compute provider has a token for the API and no pages: the right password gets the
    answer of a wrong one (which does not confirm the password), and no session."""
    provider = make.user("provider")

    response = login(client, provider.email)

    assert response.status_code == 401
    assert "Wrong e-mail or password." in text(response)
    assert not is_logged_in(client)
    assert count(app, UserSession) == 0
    [attempt] = rows(app, LoginAttempt)
    assert attempt.succeeded is False
    assert api(provider, scope="usage:write").get("/users/me").status_code in {200, 403}


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(app, client):
    response = login(client, "nobody@example.cn", PASSWORD)

    assert response.status_code == 401
    assert "Wrong e-mail or password." in text(response)
    assert not is_logged_in(client)
    [attempt] = rows(app, LoginAttempt)
    assert (attempt.email, attempt.succeeded) == ("nobody@example.cn", False)


def test_login_page_keeps_the_typed_email_but_not_the_password(client, make):
    staff = make.user("staff")

    html = text(login(client, staff.email, WRONG_PASSWORD))

    assert f'value="{staff.email}"' in html
    assert WRONG_PASSWORD not in html


def test_deactivated_account_cannot_log_in(app, client, make):
    former = make.user("staff", is_active=False)

    assert login(client, former.email).status_code == 401
    assert not is_logged_in(client)
    assert count(app, UserSession) == 0


def test_correct_password_logs_in_and_opens_protected_pages(app, client, make):
    park = make.park()
    staff = make.user("staff", parks=[park])
    assert not is_logged_in(client)

    response = login(client, staff.email.upper())  # e-mail is matched case-insensitively

    assert response.status_code == 302
    assert is_logged_in(client)
    assert client.get(f"/parks/{park.id}").status_code == 200
    [attempt] = rows(app, LoginAttempt)
    assert attempt.succeeded
    assert count(app, UserSession, UserSession.user_id == staff.id) == 1


def test_passwords_are_stored_as_argon2id(app, client, make):
    with app.app_context():
        ops.create_user("new.staff@example.cn", role="staff", password=PASSWORD)

    [stored] = rows(app, User, User.email == "new.staff@example.cn")
    assert stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash
    assert login(client, "new.staff@example.cn").status_code == 302


def test_a_too_short_password_creates_no_user(app):
    with app.app_context(), pytest.raises(ops.ValidationFailed):
        ops.create_user("short@example.cn", role="staff", password="short")

    assert count(app, User) == 0


@pytest.mark.parametrize(
    "case", ["unknown e-mail", "wrong password", "account without password", "deactivated"]
)
def test_every_refused_login_costs_one_password_hash(case, app, client, make, monkeypatch):
    """A refusal takes as long whatever the reason, so timing does not reveal which accounts
    exist, which have no password (API-only providers) or which are deactivated."""
    emails = {
        "unknown e-mail": lambda: "nobody@example.cn",
        "wrong password": lambda: make.user("staff").email,
        "account without password": lambda: make.user("provider", password=None).email,
        "deactivated": lambda: make.user("staff", is_active=False).email,
    }
    email = emails[case]()
    token = csrf_token(client)
    hasher, work = ops._hasher, []

    class CountingHasher:
        def hash(self, *args):
            work.append("hash")
            return hasher.hash(*args)

        def verify(self, *args):
            work.append("verify")
            return hasher.verify(*args)

    monkeypatch.setattr(ops, "_hasher", CountingHasher())

    response = client.post(
        "/login", data={"email": email, "password": WRONG_PASSWORD, "csrf_token": token}
    )

    assert response.status_code == 401
    assert len(work) == 1, work


def test_a_session_of_an_api_only_account_is_not_honoured(app, client, make):
    """A login session of an account that became API-only (or predates the rule) ends."""
    from opc.core.db import transaction
    from opc.extensions import db

    user = make.user("staff")
    assert login(client, user.email).status_code == 302
    assert is_logged_in(client)
    with app.app_context(), transaction():
        db.session.get(User, user.id).role = "provider"

    assert not is_logged_in(client)
