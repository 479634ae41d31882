"""Test set-up: one database per run (SQLite file or a fresh PostgreSQL database), built by
the migrations once, emptied after every test.

OPC_TEST_DB=sqlite (default) or postgresql. For PostgreSQL, OPC_TEST_PG_URL names the server
(default postgresql+psycopg://postgres@127.0.0.1:5432/postgres); a database with a fresh name
is created for the run and dropped after it. Without a reachable server the PostgreSQL run
fails under CI=true and is skipped with a message elsewhere.
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.fixtures.audit_guard import AuditGuard
from tests.fixtures.factories import Factories

# Fixtures of their own modules, offered to every test: smtp_server (a real SMTP server),
# demo_data (the demo, seeded once per run and day).
pytest_plugins = ["tests.fixtures.smtp", "tests.fixtures.demo"]

PG_SERVER = os.environ.get(
    "OPC_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def _backend() -> str:
    return os.environ.get("OPC_TEST_DB", "sqlite")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if _backend() == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'opc-test.sqlite3'}"
        return
    server = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.exit(f"PostgreSQL is required under CI but unreachable: {exc}", returncode=3)
        pytest.skip("PostgreSQL not reachable; set OPC_TEST_PG_URL to run these tests on it")
    name, url = create_database(server, "opc_test")
    try:
        yield url
    finally:
        drop_database(server, name)


def create_database(server: sa.Engine, prefix: str) -> tuple[str, str]:
    """A new PostgreSQL database with a fresh name on `server`: its name and URL."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with server.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return name, server.url.set(database=name).render_as_string(hide_password=False)


def drop_database(server: sa.Engine, name: str) -> None:
    """Drop a database of create_database, ending its sessions first; then close `server`."""
    with server.connect() as conn:
        conn.execute(
            sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name},
        )
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    server.dispose()


@functools.cache
def _files_dir() -> str:
    """A folder for the files a test run stores, removed when the run ends."""
    path = tempfile.mkdtemp(prefix="opc-test-files-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def make_app(database_url: str, **overrides: Any) -> Flask:
    from opc import create_app

    settings = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": TEST_SECRET,
        "SEED_DEMO_ON_START": False,
        "BABEL_DEFAULT_LOCALE": "en",
        "EXTERNAL_URL": "http://localhost",  # where the test client's requests go
        "STORAGE_DIR": _files_dir(),  # uploads of a run go to a temporary folder
    }
    settings.update(overrides)
    return create_app(settings)


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    from flask_migrate import upgrade

    app = make_app(database_url)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        from opc.extensions import db

        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts with empty tables (tests that use no app are left alone)."""
    yield
    if "app" not in request.fixturenames:
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        from opc.extensions import db

        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                _empty_postgresql(conn, tables)
            else:
                for table in tables:
                    conn.exec_driver_sql(f'DELETE FROM "{table}"')


def _empty_postgresql(conn: sa.Connection, tables: list[str]) -> None:
    """What `TRUNCATE … RESTART IDENTITY` would leave, at a fraction of its cost: a test
    writes a few tables, and TRUNCATE makes every one of the ~90 tables new and syncs it to
    disk. Rows go by DELETE from the tables that have any (dependents first), and the
    sequences that moved start again at 1."""
    probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables)
    written = {row[0] for row in conn.exec_driver_sql(probe)}
    for table in tables:
        if table in written:
            conn.exec_driver_sql(f'DELETE FROM "{table}"')
    moved = conn.exec_driver_sql(
        "SELECT schemaname, sequencename FROM pg_sequences WHERE last_value IS NOT NULL"
    ).all()
    if moved:
        resets = ", ".join(f'setval(\'"{s}"."{n}"\', 1, false)' for s, n in moved)
        conn.exec_driver_sql(f"SELECT {resets}")


@pytest.fixture(autouse=True)
def audit_guard(request: pytest.FixtureRequest, _clean_database: None) -> Iterator[Any]:
    """Every test with the app fails when one of its transactions wrote an audited table
    without an audit entry for it (tests/fixtures/audit_guard.py). Ends before the tables
    are emptied."""
    if "app" not in request.fixturenames:
        yield None
        return
    from opc.audit.recorder import audited_tables, unaudited_columns
    from opc.extensions import db

    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        engine, audited, unaudited = db.engine, audited_tables(), unaudited_columns()
    with AuditGuard(engine, audited, unaudited) as guard:
        yield guard
    assert not guard.misses, "writes the audit log missed:\n" + "\n".join(guard.misses)


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An app context for calling operations and queries directly.

    Do not make HTTP requests while it is pushed: requests would share its `g` and session.
    """
    with app.app_context():
        yield app
        from opc.extensions import db

        db.session.remove()


@pytest.fixture
def count_queries(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> Callable[[], AbstractContextManager[list[str]]]:
    """`with count_queries() as statements:` every SQL statement the app's engine executes
    inside the block, to prove that a page's statements do not grow with its rows.
    """

    @contextmanager
    def counting() -> Iterator[list[str]]:
        from opc.extensions import db

        statements: list[str] = []

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)

    return counting


@pytest.fixture
def make(app: Flask) -> Factories:
    return Factories(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page's form."""
    html = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = _CSRF.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str = "correct-horse-battery") -> Any:
    token = csrf_token(client)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def as_user(client: FlaskClient, make: Factories) -> Any:
    """Log the test client in as a new user of a role: `as_user("staff", parks=[park])`."""

    def _as(role: str, **kw: Any) -> Any:
        user = make.user(role=role, **kw)
        response = login(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return _as


@pytest.fixture
def api(app: Flask, make: Factories) -> Any:
    """A JSON client with a bearer token for a user: `api(user, scope="all").get(...)`."""

    class Api:
        def __init__(self, token: str) -> None:
            self.client = app.test_client()
            self.headers = {"Authorization": f"Bearer {token}"}

        def __getattr__(self, method: str) -> Any:
            def call(path: str, **kw: Any) -> Any:
                return getattr(self.client, method)(f"/api/v1{path}", headers=self.headers, **kw)

            return call

    def _api(user: Any, scope: str = "all") -> Api:
        return Api(make.token(user, scope=scope))

    return _api


def pytest_report_header(config: pytest.Config) -> str:
    return f"OPC Ops database under test: {_backend()}"


ROOT = Path(__file__).resolve().parent.parent
