"""Login throttling: per account and per client address, shared by every worker process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from opc.auth.models import LoginAttempt
from opc.extensions import db
from tests.auth.helpers import WRONG_PASSWORD, count, is_logged_in, text
from tests.conftest import login, make_app

THROTTLED = "Too many failed logins."


def from_address(app, address):
    """A browser on another machine: its own cookies, its own client address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_failures_on_one_account_block_it_from_every_address(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ACCOUNT", 3)
    target, neighbour = make.user("staff"), make.user("staff")
    for n in range(3):
        assert (
            login(from_address(app, f"198.51.100.{n}"), target.email, WRONG_PASSWORD).status_code
            == 401
        )

    owner = from_address(app, "203.0.113.50")
    response = login(owner, target.email)  # the right password, from a fresh address

    assert response.status_code == 429
    assert THROTTLED in text(response)
    assert not is_logged_in(owner)
    # Only that account is held back: another account logs in from the same address.
    assert login(owner, neighbour.email).status_code == 302


def test_failures_from_one_address_block_every_account_from_it(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ADDRESS", 3)
    staff = make.user("staff")
    prober = from_address(app, "192.0.2.66")
    for n in range(3):
        assert login(prober, f"guess{n}@example.cn", WRONG_PASSWORD).status_code == 401

    response = login(prober, staff.email)

    assert response.status_code == 429
    assert THROTTLED in text(response)
    assert not is_logged_in(prober)
    # Only that address is held back: the same account logs in from elsewhere.
    assert login(from_address(app, "192.0.2.67"), staff.email).status_code == 302


def test_below_the_limit_the_right_password_still_works(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ACCOUNT", 3)
    staff = make.user("staff")
    client = from_address(app, "198.51.100.9")
    for _ in range(2):
        assert login(client, staff.email, WRONG_PASSWORD).status_code == 401

    assert login(client, staff.email).status_code == 302


def test_failures_through_one_worker_block_logins_through_another(app, make, database_url):
    """Two app instances on one database stand for two worker processes."""
    limits = {"LOGIN_MAX_FAILURES_PER_ACCOUNT": 3}
    worker_a, worker_b = make_app(database_url, **limits), make_app(database_url, **limits)
    try:
        target, other = make.user("staff"), make.user("staff")
        for _ in range(3):
            assert login(worker_a.test_client(), target.email, WRONG_PASSWORD).status_code == 401

        assert login(worker_b.test_client(), target.email).status_code == 429
        assert login(worker_b.test_client(), other.email).status_code == 302
        assert count(app, LoginAttempt, LoginAttempt.email == target.email) == 3
    finally:
        for worker in (worker_a, worker_b):
            with worker.app_context():
                db.engine.dispose()


def test_the_block_ends_when_the_window_has_passed(app, make, monkeypatch, time_machine):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ACCOUNT", 3)
    window = timedelta(minutes=app.config["LOGIN_WINDOW_MINUTES"])
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    time_machine.move_to(start, tick=False)
    staff = make.user("staff")
    for _ in range(3):
        assert login(app.test_client(), staff.email, WRONG_PASSWORD).status_code == 401

    time_machine.move_to(start + window - timedelta(minutes=1), tick=False)
    assert login(app.test_client(), staff.email).status_code == 429

    time_machine.move_to(start + window + timedelta(minutes=1), tick=False)
    client = app.test_client()
    assert login(client, staff.email).status_code == 302
    assert is_logged_in(client)
