"""Login throttling: growing delays per account and address pair and per address, shared by
every worker process, and no lock-out: failures from elsewhere never hold the owner back."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from opc.auth import operations as ops
from opc.auth.models import LoginAttempt
from opc.extensions import db
from tests.auth.helpers import NEW_PASSWORD, WRONG_PASSWORD, count, is_logged_in, rows, text
from tests.auth.test_sessions import change_password
from tests.conftest import login, make_app
from tests.fixtures.factories import PASSWORD

THROTTLED = "Too many failed logins."
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def slow_after_three(app, monkeypatch):
    """Three free failures per pair, delays of 2, 4, 8… seconds up to 60."""
    for key, value in {
        "LOGIN_FREE_FAILURES": 3,
        "LOGIN_FREE_FAILURES_PER_ADDRESS": 1000,
        "LOGIN_DELAY_BASE_S": 2,
        "LOGIN_DELAY_MAX_S": 60,
    }.items():
        monkeypatch.setitem(app.config, key, value)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)

    def at(seconds: float) -> None:
        time_machine.move_to(START + timedelta(seconds=seconds), tick=False)

    return at


def from_address(app, address):
    """A browser on another machine: its own cookies, its own client address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def retry_after(response):
    assert response.status_code == 429, response.status_code
    return int(response.headers["Retry-After"])


def test_the_pair_waits_longer_after_each_failure_up_to_the_cap(app, make, slow_after_three, clock):
    staff = make.user("staff")
    browser = from_address(app, "198.51.100.7")
    for _ in range(3):  # the free failures
        assert login(browser, staff.email, WRONG_PASSWORD).status_code == 401

    waits = []
    elapsed = 0
    for _ in range(7):
        refused = login(browser, staff.email, WRONG_PASSWORD)
        assert THROTTLED in text(refused)
        waits.append(retry_after(refused))
        elapsed += waits[-1]
        clock(elapsed)  # after the wait the guess is checked (and fails)
        assert login(browser, staff.email, WRONG_PASSWORD).status_code == 401

    assert waits == [2, 4, 8, 16, 32, 60, 60]


def test_the_right_password_waits_its_turn_then_logs_in(app, make, slow_after_three, clock):
    staff = make.user("staff")
    browser = from_address(app, "198.51.100.8")
    for _ in range(3):
        login(browser, staff.email, WRONG_PASSWORD)

    refused = login(browser, staff.email)  # the right password: not even checked yet
    assert retry_after(refused) == 2
    assert not is_logged_in(browser)
    clock(2)
    assert login(browser, staff.email).status_code == 302
    assert is_logged_in(browser)

    # The success starts the pair's count afresh: the next mistake costs no wait.
    client = from_address(app, "198.51.100.8")
    assert login(client, staff.email, WRONG_PASSWORD).status_code == 401
    assert login(client, staff.email).status_code == 302


def test_failures_from_elsewhere_never_hold_the_owner_back(app, make, slow_after_three, clock):
    """An attacker guessing the account's password from many addresses does not lock it."""
    target = make.user("staff")
    for n in range(5):
        attacker = from_address(app, f"203.0.113.{n}")
        for _ in range(6):
            login(attacker, target.email, WRONG_PASSWORD)
        assert login(attacker, target.email).status_code == 429  # each attacker waits

    owner = from_address(app, "192.0.2.10")
    assert login(owner, target.email).status_code == 302
    assert is_logged_in(owner)


def test_one_address_trying_many_accounts_is_slowed_down_alone(app, make, monkeypatch, clock):
    monkeypatch.setitem(app.config, "LOGIN_FREE_FAILURES_PER_ADDRESS", 3)
    monkeypatch.setitem(app.config, "LOGIN_DELAY_BASE_S", 30)
    staff = make.user("staff")
    prober = from_address(app, "192.0.2.66")
    for n in range(3):
        assert login(prober, f"guess{n}@example.cn", WRONG_PASSWORD).status_code == 401

    refused = login(prober, staff.email)
    assert retry_after(refused) == 30
    assert THROTTLED in text(refused)
    assert not is_logged_in(prober)
    # Only that address waits: the same account logs in from elsewhere at once.
    assert login(from_address(app, "192.0.2.67"), staff.email).status_code == 302
    clock(30)
    assert login(prober, staff.email).status_code == 302


def test_a_prober_behind_a_shared_address_does_not_slow_its_regular_users(
    app, make, monkeypatch, clock
):
    """An office behind one NAT address: who logged in from there lately is not held back by
    the address's failures; an account new to the address is."""
    monkeypatch.setitem(app.config, "LOGIN_FREE_FAILURES_PER_ADDRESS", 3)
    regular, newcomer = make.user("staff"), make.user("staff")
    office = "198.51.100.200"
    assert login(from_address(app, office), regular.email).status_code == 302
    clock(3600)
    prober = from_address(app, office)
    for n in range(6):
        login(prober, f"guess{n}@example.cn", WRONG_PASSWORD)

    assert login(from_address(app, office), regular.email).status_code == 302
    assert login(from_address(app, office), newcomer.email).status_code == 429
    assert login(prober, "guess9@example.cn", WRONG_PASSWORD).status_code == 429


def test_a_waiting_attempt_checks_no_password_and_is_not_counted(
    app, make, slow_after_three, clock, monkeypatch
):
    staff = make.user("staff")
    browser = from_address(app, "198.51.100.9")
    for _ in range(3):
        login(browser, staff.email, WRONG_PASSWORD)
    checked = []
    monkeypatch.setattr(ops, "check_password", lambda *a: checked.append(a) or False)

    for _ in range(5):
        assert login(browser, staff.email, WRONG_PASSWORD).status_code == 429

    assert checked == []
    assert count(app, LoginAttempt) == 3


def test_an_attempt_is_counted_before_its_password_is_checked(app, make, monkeypatch):
    """So that guesses sent in parallel cannot all pass the count before any is recorded."""
    staff = make.user("staff")
    counted = []
    check = ops.check_password

    def counting_check(user, password):
        counted.append(count(app, LoginAttempt, LoginAttempt.succeeded.is_(False)))
        return check(user, password)

    monkeypatch.setattr(ops, "check_password", counting_check)

    assert login(from_address(app, "198.51.100.10"), staff.email).status_code == 302

    assert counted == [1]
    [attempt] = rows(app, LoginAttempt)
    assert attempt.succeeded is True


def test_failures_are_forgotten_after_the_window(app, make, slow_after_three, clock):
    staff = make.user("staff")
    browser = from_address(app, "198.51.100.11")
    for n in range(3 + 5):
        clock(n * 100)  # each attempt after the previous wait
        assert login(browser, staff.email, WRONG_PASSWORD).status_code == 401
    clock(710)
    assert retry_after(login(browser, staff.email)) == 50

    clock(701 + app.config["LOGIN_WINDOW_HOURS"] * 3600)
    assert login(browser, staff.email).status_code == 302


def test_throttling_through_one_worker_holds_in_another(app, make, database_url, clock):
    """Two app instances on one database stand for two worker processes."""
    limits = {"LOGIN_FREE_FAILURES": 3, "LOGIN_DELAY_BASE_S": 10}
    worker_a, worker_b = make_app(database_url, **limits), make_app(database_url, **limits)
    try:
        target, other = make.user("staff"), make.user("staff")
        for _ in range(3):
            assert login(worker_a.test_client(), target.email, WRONG_PASSWORD).status_code == 401

        assert retry_after(login(worker_b.test_client(), target.email)) == 10
        assert login(worker_b.test_client(), other.email).status_code == 302
        assert count(app, LoginAttempt, LoginAttempt.email == target.email) == 3
    finally:
        for worker in (worker_a, worker_b):
            with worker.app_context():
                db.engine.dispose()


# --- the client's address behind reverse proxies ----------------------------------------


def behind_proxy(app, forwarded_for):
    """A browser whose requests reach the app through a reverse proxy at 10.0.0.2."""
    client = from_address(app, "10.0.0.2")
    client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client


def test_behind_a_trusted_proxy_each_client_counts_on_its_own(make, database_url, clock):
    proxied = make_app(
        database_url, TRUSTED_PROXIES=1, LOGIN_FREE_FAILURES=3, LOGIN_FREE_FAILURES_PER_ADDRESS=3
    )
    try:
        staff, other = make.user("staff"), make.user("staff")
        attacker = behind_proxy(proxied, "198.51.100.66")
        for n in range(3):
            login(attacker, f"guess{n}@example.cn", WRONG_PASSWORD)
        assert login(attacker, staff.email).status_code == 429

        # The proxy's address is everyone's: the other clients behind it are not slowed.
        assert login(behind_proxy(proxied, "192.0.2.44"), other.email).status_code == 302
        # What a client writes into X-Forwarded-For itself comes before the proxy's entry.
        spoofed = behind_proxy(proxied, "192.0.2.1, 198.51.100.66")
        assert login(spoofed, staff.email).status_code == 429
        with proxied.app_context():
            addresses = {a.address for a in db.session.query(LoginAttempt)}
        assert addresses == {"198.51.100.66", "192.0.2.44"}
    finally:
        with proxied.app_context():
            db.engine.dispose()


def test_without_trusted_proxies_x_forwarded_for_is_ignored(app, make, monkeypatch):
    assert app.config["TRUSTED_PROXIES"] == 0
    monkeypatch.setitem(app.config, "LOGIN_FREE_FAILURES_PER_ADDRESS", 3)
    staff = make.user("staff")
    for n in range(3):
        login(behind_proxy(app, f"198.51.100.{n}"), f"guess{n}@example.cn", WRONG_PASSWORD)

    # A prober cannot escape its address's count by naming another.
    assert login(behind_proxy(app, "192.0.2.99"), staff.email).status_code == 429


# --- the account page's current password ----------------------------------------------


def test_the_current_password_check_is_throttled_like_a_login(app, make, slow_after_three, clock):
    staff = make.user("staff")
    browser = from_address(app, "198.51.100.12")
    login(browser, staff.email)
    for _ in range(3):
        assert change_password(browser, WRONG_PASSWORD, NEW_PASSWORD).status_code == 422

    refused = change_password(browser, PASSWORD, NEW_PASSWORD)  # even the right one waits
    assert retry_after(refused) == 2
    assert THROTTLED in text(refused)
    assert count(app, LoginAttempt, LoginAttempt.succeeded.is_(False)) == 3
    # The same pair's logins wait too: a stolen session does not give free guesses.
    assert login(from_address(app, "198.51.100.12"), staff.email).status_code == 429

    clock(2)
    assert change_password(browser, PASSWORD, NEW_PASSWORD).status_code == 302
    assert login(from_address(app, "198.51.100.12"), staff.email, NEW_PASSWORD).status_code == 302


@pytest.mark.slow
def test_parallel_guesses_cannot_slip_past_the_count(app, make, slow_after_three):
    """Eight guesses at once from one address: the three free ones are checked, the rest wait."""
    from opc.auth import throttling
    from opc.core.errors import RateLimited

    staff = make.user("staff")
    checked, waiting, errors = [], [], []
    start = threading.Barrier(8)

    def guess() -> None:
        with app.app_context():
            try:
                start.wait(timeout=10)
                throttling.begin_attempt(staff.email, "198.51.100.99")
                checked.append(1)
            except RateLimited:
                waiting.append(1)
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert (len(checked), len(waiting)) == (3, 5)
