"""Forgotten passwords: a mailed one-time link that expires, works once, is throttled and
never tells who has an account; setting the password ends the user's other sessions."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from functools import partial

import pytest
import time_machine

from opc.auth.models import ApiToken, LoginAttempt, PasswordReset, User, UserSession
from opc.core.db import utcnow
from tests.auth.helpers import NEW_PASSWORD, WRONG_PASSWORD, count, is_logged_in, rows, text
from tests.conftest import csrf_token, login
from tests.fixtures.factories import PASSWORD

EN = {"Accept-Language": "en"}
_FLASH = re.compile(r'<p class="flash flash-\w+">(.*?)</p>', re.S)


def ask(client, email, address="10.0.0.1"):
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf_token(client, "/password/forgot")
    return client.post("/password/forgot", data={"csrf_token": token, "email": email}, headers=EN)


def choose(client, path, password=NEW_PASSWORD, confirm=None, revoke_tokens=False):
    token = csrf_token(client, path)
    data = {"csrf_token": token, "password": password, "confirm": confirm or password}
    if revoke_tokens:
        data["revoke_tokens"] = "y"
    return client.post(path, data=data, headers=EN)


def flash_after(client, response):
    """The flash message the redirect's target shows."""
    assert response.status_code == 302, text(response)
    page = client.get(response.headers["Location"], headers=EN)
    return _FLASH.findall(text(page))


def test_a_mailed_link_sets_a_new_password_and_ends_every_session(app, client, make, smtp_server):
    user = make.user("staff", email="li.na@example.cn")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user.email)
    login(phone, user.email)

    response = ask(client, "Li.Na@example.cn")  # the address as people type it

    assert response.headers["Location"].endswith("/login")
    [(to, _raw)] = smtp_server.wait_for(1)
    assert to == ["li.na@example.cn"]
    path = smtp_server.link()
    [reset] = rows(app, PasswordReset)
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 40 and token not in reset.token_hash and len(reset.token_hash) == 64
    assert reset.requested_by_id is None
    page = client.get(path, headers=EN)
    assert page.status_code == 200 and "li.na@example.cn" in text(page)

    done = choose(client, path)

    assert done.headers["Location"].endswith("/login")
    assert not is_logged_in(laptop) and not is_logged_in(phone)
    assert login(client, user.email, PASSWORD).status_code == 401
    assert login(client, user.email, NEW_PASSWORD).status_code == 302
    assert rows(app, PasswordReset)[0].used_at is not None


def test_the_link_works_once(app, client, make, smtp_server):
    user = make.user("staff")
    ask(client, user.email)
    smtp_server.wait_for(1)
    path = smtp_server.link()
    assert choose(client, path).status_code == 302

    again = client.get(path, headers=EN)
    posted = choose(app.test_client(), path, password="yet-another-passphrase")

    assert again.status_code == 409 and "used already" in text(again)
    assert posted.status_code == 409
    assert login(client, user.email, "yet-another-passphrase").status_code == 401


def test_the_link_expires(app, client, make, smtp_server):
    user = make.user("staff")
    minutes = app.config["PASSWORD_RESET_LINK_MINUTES"]
    ask(client, user.email)
    smtp_server.wait_for(1)
    path = smtp_server.link()

    with time_machine.travel(utcnow() + timedelta(minutes=minutes, seconds=1)):
        late = client.get(path, headers=EN)
        posted = choose(app.test_client(), path)
    with time_machine.travel(utcnow() + timedelta(minutes=minutes - 1)):
        in_time = client.get(path, headers=EN)

    assert late.status_code == 409 and "expired" in text(late)
    assert posted.status_code == 409
    assert in_time.status_code == 200
    assert login(client, user.email, NEW_PASSWORD).status_code == 401


def test_a_newer_link_replaces_the_older(app, client, make, smtp_server):
    user = make.user("staff")
    ask(client, user.email)
    ask(client, user.email)
    smtp_server.wait_for(2)
    first, second = smtp_server.link(0), smtp_server.link(1)

    assert client.get(first, headers=EN).status_code == 409
    assert choose(client, second).status_code == 302
    assert login(client, user.email, NEW_PASSWORD).status_code == 302


def test_unknown_addresses_get_the_same_answer_and_no_mail(app, client, make, smtp_server):
    known = make.user("staff", email="known@example.cn")
    make.user("provider", email="machine@example.cn", password=None)  # API only
    make.user("staff", email="gone@example.cn", is_active=False)

    answers = {
        email: (r.status_code, r.headers["Location"], flash_after(client, r))
        for email in ("nobody@example.cn", "machine@example.cn", "gone@example.cn")
        for r in [ask(client, email)]
    }
    known_answer = ask(client, known.email)

    # One message: the known account's (it is sent after the others were answered).
    [(to, _raw)] = smtp_server.wait_for(1)
    time.sleep(0.2)
    assert len(smtp_server.messages) == 1 and to == [known.email]
    same = (known_answer.status_code, known_answer.headers["Location"])
    [known_flash] = flash_after(client, known_answer)
    for email, (status, location, [message]) in answers.items():
        assert (status, location) == same
        assert message == known_flash.replace(known.email, email)
    assert count(app, PasswordReset) == 1


def test_the_answer_does_not_wait_for_the_mail_server(app, client, make, smtp_server):
    user = make.user("staff")
    ask(client, "warm-up@example.cn")  # the first request of a client is slower
    smtp_server.delay_s = 1.5

    started = time.monotonic()
    response = ask(client, user.email)
    took = time.monotonic() - started

    assert response.status_code == 302
    assert took < 1.0, f"the answer waited {took:.2f} s for the mail server"
    smtp_server.wait_for(1)


def test_requests_are_limited_per_client_address(app, client, make, monkeypatch, smtp_server):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_LIMIT_PER_ADDRESS", 3)
    user = make.user("staff")
    for n in range(3):
        assert ask(client, f"probe{n}@example.cn").status_code == 302

    refused = ask(client, user.email)
    elsewhere = ask(app.test_client(), user.email, address="10.0.0.2")

    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many" in text(refused)
    assert elsewhere.status_code == 302
    [(to, _raw)] = smtp_server.wait_for(1)
    assert to == [user.email] and count(app, PasswordReset) == 1


def test_mails_are_limited_per_account_with_the_same_answer(
    app, client, make, monkeypatch, smtp_server
):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_LIMIT_PER_ACCOUNT", 2)
    user = make.user("staff")

    answers = [ask(app.test_client(), user.email, address=f"10.0.1.{n}") for n in range(4)]

    assert [a.status_code for a in answers] == [302] * 4
    smtp_server.wait_for(2)
    time.sleep(0.3)
    assert len(smtp_server.messages) == 2
    with time_machine.travel(utcnow() + timedelta(minutes=61)):
        ask(app.test_client(), user.email, address="10.0.2.1")
    smtp_server.wait_for(3)


def test_without_mail_the_page_says_whom_to_ask(app, client, make):
    user = make.user("staff")

    page = client.get("/password/forgot", headers=EN)
    posted = ask(client, user.email)

    assert page.status_code == 200 and "ask an administrator" in text(page)
    assert 'name="email"' not in text(page)
    assert posted.status_code == 200 and "ask an administrator" in text(posted)
    assert count(app, PasswordReset) == 0


def test_what_is_no_email_address_is_a_field_error(app, client, smtp_server):
    response = ask(client, "not an address")

    assert response.status_code == 422 and "valid e-mail" in text(response)
    assert count(app, PasswordReset) == 0


def test_a_reset_forgives_the_failed_logins_of_its_address(app, client, make, smtp_server):
    user = make.user("staff")
    client.environ_base["REMOTE_ADDR"] = "10.0.0.1"
    for _n in range(app.config["LOGIN_FREE_FAILURES"] + 1):
        login(client, user.email, WRONG_PASSWORD)
    assert login(client, user.email, PASSWORD).status_code == 429

    ask(client, user.email)
    smtp_server.wait_for(1)
    assert choose(client, smtp_server.link()).status_code == 302

    assert login(client, user.email, NEW_PASSWORD).status_code == 302
    assert count(app, LoginAttempt, LoginAttempt.succeeded.is_(True)) == 2


def test_api_tokens_keep_working_unless_revoked_too(app, api, client, make, smtp_server):
    kept, revoked = make.user("staff"), make.user("staff")
    kept_api, revoked_api = api(kept), api(revoked)
    for n, user in enumerate((kept, revoked)):
        ask(client, user.email)
        smtp_server.wait_for(n + 1)
        choose(client, smtp_server.link(), revoke_tokens=user is revoked)

    assert kept_api.get("/users/me").status_code == 200
    assert revoked_api.get("/users/me").status_code == 401
    assert count(app, ApiToken, ApiToken.revoked_at.is_not(None)) == 1


def test_a_bad_new_password_is_refused_and_the_link_stays_usable(app, client, make, smtp_server):
    user = make.user("staff")
    ask(client, user.email)
    smtp_server.wait_for(1)
    path = smtp_server.link()

    short = choose(client, path, password="short")
    differ = choose(client, path, confirm="something-else-entirely")

    assert short.status_code == 422 and differ.status_code == 422
    assert "Passwords differ" in text(differ)
    assert rows(app, PasswordReset)[0].used_at is None
    assert choose(client, path).status_code == 302


@pytest.mark.parametrize("token", ["x" * 43, "y" * 500])
def test_an_unknown_link_is_not_found(client, token):
    response = client.get(f"/password/reset/{token}", headers=EN)

    assert response.status_code == 404 and "not valid" in text(response)


def test_the_login_page_links_to_the_forgotten_password_and_the_application_form(client):
    html = text(client.get("/login", headers=EN))

    assert 'href="/password/forgot"' in html and 'href="/apply"' in html


def test_logins_sessions_of_other_users_are_untouched(app, client, make, smtp_server):
    user, other = make.user("staff"), make.user("staff")
    bystander = app.test_client()
    login(bystander, other.email)

    ask(client, user.email)
    smtp_server.wait_for(1)
    choose(client, smtp_server.link())

    assert is_logged_in(bystander)
    assert count(app, UserSession, UserSession.revoked_at.is_(None)) == 1
    assert count(app, User) == 2


@pytest.mark.slow
def test_two_uses_of_one_link_at_once_set_one_password(app, make, monkeypatch):
    """Both see the link unused before either writes; the row lock lets one of them in."""
    from opc.auth import resets
    from tests.core.helpers import race_as, slowed

    user = make.user("staff")
    with app.app_context():
        token = resets.force_reset(user, actor=None).link.rsplit("/", 1)[1]
    slowed(monkeypatch, resets, "find_reset")

    def use(password, *, actor):
        resets.complete_reset(token, password, address="10.0.0.1")

    passwords = ["first-new-password", "second-new-password"]
    outcomes = race_as(app, user.id, [partial(use, p) for p in passwords])

    assert outcomes == ["ok", "reset_used"], outcomes
    logins = [login(app.test_client(), user.email, p).status_code for p in passwords]
    assert sorted(logins) == [302, 401]
