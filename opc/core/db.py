"""Engine setup and the one way to write: a transaction that locks before it checks.

Two writers that want the same rows may collide in the database: a deadlock (PostgreSQL
SQLSTATE 40P01), a serialization failure (40001), a lock wait that timed out (55P03), or
SQLite's write lock still held after the busy timeout (SQLITE_BUSY). Nothing was written,
and the same operation run again will likely succeed, so:

* `transaction()` turns such an error into `ConcurrentUpdate` (409 `concurrent_update`),
  never an outage (503) and never a half-done write;
* `@retrying` on an operation runs it once more, from the start, in a fresh transaction
  (the checks read again what the other writer committed), before letting the 409 go.

The retry is the whole operation, not a statement: a statement retried inside a failed
transaction is impossible (PostgreSQL aborted it), and a retried statement after checks
made on rows that have since changed would break the rules those checks enforce.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import DateTime, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, InvalidatePoolError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from opc.core.errors import ConcurrentUpdate
from opc.extensions import db

log = logging.getLogger(__name__)

_writing: ContextVar[bool] = ContextVar("opc_writing", default=False)
_actor: ContextVar[Any] = ContextVar("opc_actor", default=None)

M = TypeVar("M")
P = ParamSpec("P")
R = TypeVar("R")

# deadlock_detected, serialization_failure, lock_not_available (a lock_timeout ran out)
LOCK_CONFLICT_SQLSTATES = frozenset({"40P01", "40001", "55P03"})
SQLITE_LOCK_CONFLICTS = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


def utcnow() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always hands back aware UTC datetimes (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: foreign keys on, WAL, and our own BEGIN statements (see _sqlite_begin)."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


# A pooled server connection is tested with a round trip (SELECT 1) before use only when it
# sat idle longer than this. pool_pre_ping tested it on every checkout: a round trip on every
# request, to a database server that shares the machine's cores. A connection that a server
# restart or an idle timeout killed has sat idle; one in steady use that breaks fails its
# request like one that breaks mid-request, and SQLAlchemy then replaces the whole pool.
PING_AFTER_IDLE_S = 30.0


@event.listens_for(Engine, "checkin")
def _idle_from(_dbapi_connection: Any, record: Any) -> None:
    record.info["opc_idle_since"] = time.monotonic()


@event.listens_for(Engine, "checkout")
def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Test a long-idle server connection; a dead one is replaced, with every older one."""
    since = record.info.get("opc_idle_since")
    if since is None or isinstance(dbapi_connection, sqlite3.Connection):
        return  # a new connection, or a file (nothing between the app and the database)
    if time.monotonic() - since < PING_AFTER_IDLE_S:
        return
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_connection.rollback()
    except Exception as exc:
        log.info("pooled connection dead after %.0f s idle: %s", time.monotonic() - since, exc)
        raise InvalidatePoolError() from exc  # the pool connects afresh and retries


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Any) -> None:
    """A write transaction takes SQLite's write lock at BEGIN, before any check reads.

    A deferred transaction that reads and then writes fails with 'database is locked'
    when another writer got in between, whatever the busy timeout; BEGIN IMMEDIATE
    waits its turn instead, so the rules checked inside it hold when it writes.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _writing.get() else "BEGIN")


def current_actor() -> Any:
    """The user on whose behalf the running transaction writes (None: the system)."""
    return _actor.get()


@contextmanager
def transaction(actor: Any = None) -> Iterator[Session]:
    """One write: commit on success, roll back on any error. Nested calls join the outer one.

    Any read-only transaction the request had open is ended first, so that the write
    transaction starts fresh with its lock (SQLite) and sees the latest rows.
    """
    session = db.session()
    if _writing.get():
        yield session
        return
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("unsaved changes exist outside an operation")
        session.rollback()
    writing, acting = _writing.set(True), _actor.set(actor)
    try:
        yield session
        session.commit()
    except BaseException as exc:
        session.rollback()
        if is_lock_conflict(exc):
            log.info("write collided with another, rolled back: %s", exc)
            raise ConcurrentUpdate() from exc
        raise
    finally:
        _writing.reset(writing)
        _actor.reset(acting)


def retrying(operation: Callable[P, R]) -> Callable[P, R]:
    """Run an operation once more, in a fresh transaction, when it collided with another write.

    Put it on every function of an operations module that writes. Called inside another
    operation's transaction it just runs: only the outermost operation can start afresh. The
    second collision goes to the caller as `ConcurrentUpdate` (409 `concurrent_update`).
    """

    @functools.wraps(operation)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if _writing.get():
            return operation(*args, **kwargs)
        try:
            return operation(*args, **kwargs)
        except ConcurrentUpdate:
            log.info("retrying %s after a collision", operation.__qualname__)
            return operation(*args, **kwargs)

    return run


def is_lock_conflict(exc: BaseException) -> bool:
    """Whether the database refused a statement because another transaction held its rows,
    by the driver's error code (a deadlock, a serialization failure, a lock timeout, or
    SQLite's busy write lock), as opposed to a database that is down or a broken rule."""
    if not isinstance(exc, DBAPIError):
        return False
    error = exc.orig
    sqlstate = getattr(error, "sqlstate", None)  # psycopg
    if sqlstate is not None:
        return sqlstate in LOCK_CONFLICT_SQLSTATES
    code = getattr(error, "sqlite_errorcode", None)  # sqlite3: extended codes keep the primary
    return code is not None and code & 0xFF in SQLITE_LOCK_CONFLICTS


def lock(model: type[M], ident: int) -> M | None:
    """Load a row for update: a row lock on PostgreSQL; SQLite's BEGIN IMMEDIATE already holds."""
    stmt = select(model).where(model.id == ident).with_for_update()  # type: ignore[attr-defined]
    return db.session.execute(stmt.execution_options(populate_existing=True)).scalar_one_or_none()


def is_sqlite() -> bool:
    """Whether the app's database is SQLite."""
    return db.engine.dialect.name == "sqlite"
