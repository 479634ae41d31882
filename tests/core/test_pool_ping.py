"""Pooled PostgreSQL connections are tested only after they sat idle (opc.core.db), not on
every request: a connection the server ended while it was idle is replaced unnoticed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from opc.core import db as core_db
from tests.conftest import PG_SERVER, _backend, make_app

pytestmark = pytest.mark.skipif(_backend() != "postgresql", reason="a database server's pool")


def _server_ends_the_pooled_connection(app) -> None:
    from opc.extensions import db

    with app.app_context():
        pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        db.session.remove()  # back to the pool, idle
    server = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    server.dispose()


def test_an_idle_connection_the_server_ended_is_replaced(app, monkeypatch):
    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"])
    client = other.test_client()
    assert client.get("/healthz").status_code == 200
    _server_ends_the_pooled_connection(other)
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_S", 0.0)  # it has sat idle long enough

    assert client.get("/healthz").status_code == 200


def test_a_connection_in_steady_use_is_not_tested(app, monkeypatch):
    """No round trip before each request: a dead one fails that request, the pool recovers."""
    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], PROPAGATE_EXCEPTIONS=False)
    client = other.test_client()
    assert client.get("/healthz").status_code == 200
    _server_ends_the_pooled_connection(other)
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE_S", 3600.0)

    assert client.get("/healthz").status_code == 503
    assert client.get("/healthz").status_code == 200
