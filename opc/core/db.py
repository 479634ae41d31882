"""Engine setup and the one way to write: a transaction that locks before it checks."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from opc.extensions import db

_writing: ContextVar[bool] = ContextVar("opc_writing", default=False)
_actor: ContextVar[Any] = ContextVar("opc_actor", default=None)

M = TypeVar("M")


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
    except BaseException:
        session.rollback()
        raise
    finally:
        _writing.reset(writing)
        _actor.reset(acting)


def lock(model: type[M], ident: int) -> M | None:
    """Load a row for update: a row lock on PostgreSQL; SQLite's BEGIN IMMEDIATE already holds."""
    stmt = select(model).where(model.id == ident).with_for_update()  # type: ignore[attr-defined]
    return db.session.execute(stmt.execution_options(populate_existing=True)).scalar_one_or_none()


def is_sqlite() -> bool:
    """Whether the app's database is SQLite."""
    return db.engine.dialect.name == "sqlite"
