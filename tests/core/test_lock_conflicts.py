"""Writers that collide in the database are not an outage: a deadlock (PostgreSQL 40P01), a
serialization failure (40001) or SQLite's write lock held past the busy timeout rolls the
operation back, runs it once more from the start, and then answers 409 `concurrent_update`,
never 503 (a database that is really down still answers 503: test_db_unavailable.py). A
race that reaches a unique constraint answers 409 with that constraint's rule.

The races run on real connections: each thread has its own app context (its own session),
and a barrier or a held lock makes them really interleave.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.exc import OperationalError

from opc.core.db import is_lock_conflict, lock, retrying, transaction
from opc.core.errors import ConcurrentUpdate, DomainError
from opc.extensions import db
from opc.parks import operations as park_ops
from opc.parks.models import Park
from tests.conftest import make_app
from tests.core.helpers import error_of, one


def backend(app: Flask) -> str:
    with app.app_context():
        return db.engine.dialect.name


@pytest.fixture
def postgresql(app: Flask) -> None:
    if backend(app) != "postgresql":
        pytest.skip("PostgreSQL detects deadlocks and serialization failures; SQLite has neither")


@pytest.fixture
def sqlite(app: Flask) -> None:
    if backend(app) != "sqlite":
        pytest.skip("SQLite's busy write lock")


def park_body(code: str = "CD-OPC") -> dict[str, Any]:
    return {"code": code, "name_zh": "成都园区", "total_area_m2": "2500.00", "team_cap": 100}


def bearer(make: Any, user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {make.token(user)}"}


def in_threads(app: Flask, writes: list[Callable[[], Any]], *, context: bool = True) -> list[str]:
    """Run the writes at once, each in a thread with its own app context (none for writes
    that make requests: a request brings its own); their outcomes."""
    barrier = threading.Barrier(len(writes))
    outcomes: list[str] = []

    def run(write: Callable[[], Any]) -> None:
        with app.app_context() if context else nullcontext():
            try:
                barrier.wait(timeout=10)
                write()
                outcomes.append("ok")
            except DomainError as exc:
                outcomes.append(exc.code)
            except Exception as exc:  # reported by the assertion
                outcomes.append(repr(exc))
            finally:
                if context:
                    db.session.remove()

    threads = [threading.Thread(target=run, args=(write,)) for write in writes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


# --- the retry ----------------------------------------------------------------------------


class _Deadlock(Exception):
    sqlstate = "40P01"


def _collide() -> None:
    raise OperationalError("UPDATE parks …", {}, _Deadlock("deadlock detected"))


def test_a_collision_is_retried_once_then_answers_concurrent_update(ctx):
    calls: list[int] = []

    @retrying
    def operation() -> None:
        calls.append(1)
        with transaction():
            _collide()

    with pytest.raises(ConcurrentUpdate) as info:
        operation()
    assert len(calls) == 2
    assert (info.value.code, info.value.status) == ("concurrent_update", 409)
    assert "try again" in info.value.message


def test_the_retry_succeeds_when_the_other_writer_is_gone(ctx):
    calls: list[int] = []

    @retrying
    def operation() -> str:
        calls.append(1)
        with transaction():
            if len(calls) == 1:
                _collide()
        return "done"

    assert operation() == "done" and len(calls) == 2


def test_only_the_outermost_operation_retries(ctx):
    inner_calls: list[int] = []

    @retrying
    def inner() -> None:
        inner_calls.append(1)
        _collide()

    @retrying
    def outer() -> None:
        with transaction():
            inner()

    with pytest.raises(ConcurrentUpdate):
        outer()
    assert len(inner_calls) == 2  # once per run of the outer operation


def test_other_errors_are_neither_retried_nor_collisions(ctx):
    calls: list[int] = []

    @retrying
    def operation() -> None:
        calls.append(1)
        with transaction():
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    with pytest.raises(OperationalError):
        operation()
    assert len(calls) == 1


def test_a_database_that_is_down_is_no_collision():
    engine = sa.create_engine("sqlite:////nonexistent-directory-for-opc-tests/x.sqlite3")
    with pytest.raises(OperationalError) as info:
        engine.connect()
    assert not is_lock_conflict(info.value)


# --- PostgreSQL: a real deadlock ----------------------------------------------------------


def _lock_both(first: int, second: int, attempts: list[int], barrier: threading.Barrier) -> None:
    """Lock two parks in this order; the first attempt waits for the other thread's first lock,
    so that each then waits for the park the other holds."""
    attempts.append(first)
    with transaction():
        lock(Park, first)
        if attempts.count(first) == 1:
            barrier.wait(timeout=10)
        lock(Park, second).team_cap += 1  # type: ignore[union-attr]


@pytest.mark.slow
def test_a_deadlock_is_retried_and_both_writes_succeed(app, make, postgresql):
    a, b = make.park(team_cap=10), make.park(team_cap=20)
    attempts: list[int] = []
    barrier = threading.Barrier(2)
    write = retrying(_lock_both)
    outcomes = in_threads(
        app,
        [
            lambda: write(a.id, b.id, attempts, barrier),
            lambda: write(b.id, a.id, attempts, barrier),
        ],
    )
    assert outcomes == ["ok", "ok"]
    assert len(attempts) == 3  # PostgreSQL chose one victim; it ran again after the other
    assert (one(app, Park, a.id).team_cap, one(app, Park, b.id).team_cap) == (11, 21)


@pytest.mark.slow
def test_a_deadlock_without_the_retry_answers_concurrent_update(app, make, postgresql):
    a, b = make.park(team_cap=10), make.park(team_cap=20)
    attempts: list[int] = []
    barrier = threading.Barrier(2)
    outcomes = in_threads(
        app,
        [
            lambda: _lock_both(a.id, b.id, attempts, barrier),
            lambda: _lock_both(b.id, a.id, attempts, barrier),
        ],
    )
    assert outcomes == ["concurrent_update", "ok"]
    assert one(app, Park, a.id).team_cap + one(app, Park, b.id).team_cap == 31


# --- PostgreSQL: a real serialization failure ---------------------------------------------


@pytest.fixture
def repeatable_read_app(database_url: str, postgresql: None) -> Iterator[Flask]:
    """The app on the test database with REPEATABLE READ transactions, where a row another
    transaction changed after this one's snapshot cannot be locked (40001)."""
    app = make_app(
        database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"isolation_level": "REPEATABLE READ", "pool_pre_ping": True},
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _interfering(monkeypatch: pytest.MonkeyPatch, times: int) -> list[int]:
    """Before update_park locks its park, another connection changes the park and commits
    (the first `times` runs): the lock then fails with a serialization failure."""
    original = park_ops.lock
    runs: list[int] = []

    def interfering_lock(model: Any, ident: int) -> Any:
        runs.append(ident)
        db.session.execute(sa.text("SELECT 1"))  # the snapshot is taken
        if len(runs) <= times:
            with db.engine.begin() as other:
                other.execute(
                    sa.text("UPDATE parks SET name_en = name_en || '.' WHERE id = :id"),
                    {"id": ident},
                )
        return original(model, ident)

    monkeypatch.setattr(park_ops, "lock", interfering_lock)
    return runs


@pytest.mark.slow
def test_a_serialization_failure_twice_answers_409(repeatable_read_app, make, monkeypatch):
    admin, park = make.user("admin"), make.park(team_cap=10, name_en="Hub")
    runs = _interfering(monkeypatch, times=2)
    client = repeatable_read_app.test_client()
    response = client.patch(
        f"/api/v1/parks/{park.id}", json={"team_cap": 11}, headers=bearer(make, admin)
    )
    assert response.status_code == 409, response.get_json()
    assert error_of(response)["code"] == "concurrent_update"
    assert len(runs) == 2  # run again once, from the start
    stored = one(repeatable_read_app, Park, park.id)
    assert (stored.team_cap, stored.name_en) == (10, "Hub..")


@pytest.mark.slow
def test_a_serialization_failure_once_is_retried(repeatable_read_app, make, monkeypatch):
    admin, park = make.user("admin"), make.park(team_cap=10, name_en="Hub")
    runs = _interfering(monkeypatch, times=1)
    client = repeatable_read_app.test_client()
    response = client.patch(
        f"/api/v1/parks/{park.id}", json={"team_cap": 11}, headers=bearer(make, admin)
    )
    assert response.status_code == 200, response.get_json()
    assert len(runs) == 2
    stored = one(repeatable_read_app, Park, park.id)
    assert (stored.team_cap, stored.name_en) == (11, "Hub.")


# --- SQLite: the write lock held past the busy timeout ------------------------------------


@pytest.fixture
def impatient_app(database_url: str, sqlite: None) -> Iterator[Flask]:
    """The app on the test database, waiting half a second for SQLite's write lock."""
    app = make_app(database_url, SQLITE_BUSY_TIMEOUT_S=0.5)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def hold_write_lock(database_url: str) -> sqlite3.Connection:
    """Another process's writer: a connection of its own inside BEGIN IMMEDIATE."""
    path = database_url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    return conn


@pytest.mark.slow
def test_sqlite_busy_past_the_timeout_answers_409_not_503(impatient_app, database_url, make):
    headers = bearer(make, make.user("admin"))
    holder = hold_write_lock(database_url)
    try:
        started = time.monotonic()
        response = impatient_app.test_client().post(
            "/api/v1/parks", json=park_body(), headers=headers
        )
        waited = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 409, response.get_json()
    body = error_of(response)
    assert body["code"] == "concurrent_update"
    assert "database" not in body["message"].lower()
    assert waited >= 1.0  # two attempts, each waiting out the busy timeout
    with impatient_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Park)) == 0
        db.session.remove()


@pytest.mark.slow
def test_sqlite_busy_then_free_succeeds_on_the_retry(impatient_app, database_url, make):
    headers = bearer(make, make.user("admin"))
    holder = hold_write_lock(database_url)
    release = threading.Timer(0.75, holder.rollback)  # during the second attempt
    release.start()
    try:
        response = impatient_app.test_client().post(
            "/api/v1/parks", json=park_body(), headers=headers
        )
    finally:
        release.join()
        holder.close()
    assert response.status_code == 201, response.get_json()


# --- a race that reaches a unique constraint ----------------------------------------------


@pytest.fixture
def slow_code_check(app: Flask) -> Iterator[None]:
    """Sleep after create_park reads whether the code is taken, so that two creations both
    read before either writes (where the database lets them: PostgreSQL)."""

    def pause(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("SELECT parks.id") and "parks.code =" in statement:
            time.sleep(0.3)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "after_cursor_execute", pause)
    yield
    sa.event.remove(engine, "after_cursor_execute", pause)


@pytest.mark.slow
def test_two_parks_with_one_code_at_once_answer_409_with_its_rule(app, make, slow_code_check):
    admin = make.user("admin")
    headers = [bearer(make, admin) for _ in range(2)]
    statuses: list[tuple[int, str | None]] = []

    def create(headers: dict[str, str]) -> Callable[[], None]:
        def post() -> None:
            response = app.test_client().post("/api/v1/parks", json=park_body(), headers=headers)
            code = error_of(response)["code"] if response.status_code >= 400 else None
            statuses.append((response.status_code, code))

        return post

    assert in_threads(app, [create(h) for h in headers], context=False) == ["ok", "ok"]
    assert sorted(statuses, key=lambda s: s[0]) == [(201, None), (409, "park_code_taken")]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Park)) == 1
        db.session.remove()
