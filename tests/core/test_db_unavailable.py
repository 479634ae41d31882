"""When the database cannot be reached the app says so: 503 on pages (a page for people, no
trace), on the API (code database_unavailable) and on /healthz."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from opc.extensions import db
from tests.conftest import make_app
from tests.core.gunicorn import Gunicorn
from tests.core.helpers import error_of

UNREACHABLE = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/none",
    "sqlite": "sqlite:////nonexistent-directory-for-opc-tests/sub/opc.sqlite3",
}


@pytest.fixture(params=sorted(UNREACHABLE))
def down_app(request) -> Iterator[Flask]:
    app = make_app(UNREACHABLE[request.param])
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def logged_in_looking(client: FlaskClient) -> FlaskClient:
    """A browser holding a login cookie: the app must reach the database to know who it is."""
    with client.session_transaction() as session:
        session["_user_id"] = "a-session-token"
        session["_fresh"] = True
    return client


def no_trace(text: str) -> None:
    for leak in ("Traceback", "OperationalError", "psycopg", "sqlite3", "127.0.0.1:1"):
        assert leak not in text, leak


def test_healthz_answers_503_with_db_error(down_app):
    response = down_app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "db": "error"}


def test_a_page_answers_503_with_a_page_for_people(down_app):
    client = logged_in_looking(down_app.test_client())
    response = client.get("/parks/", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "The database is unavailable. Please try again shortly." in page
    assert "<h1>The service is unavailable for a moment</h1>" in page
    no_trace(page)


def test_the_page_speaks_the_visitors_language(down_app):
    client = logged_in_looking(down_app.test_client())
    response = client.get("/parks/", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 503
    assert "数据库暂不可用" in response.get_data(as_text=True)


def test_the_api_answers_503_database_unavailable(down_app):
    client = down_app.test_client()
    response = client.get("/api/v1/parks", headers={"Authorization": "Bearer opc_some-token"})
    assert response.status_code == 503
    assert error_of(response)["code"] == "database_unavailable"
    no_trace(response.get_data(as_text=True))
    posted = client.post(
        "/api/v1/parks",
        headers={"Authorization": "Bearer opc_some-token"},
        json={"code": "X"},
    )
    assert posted.status_code == 503
    assert error_of(posted)["code"] == "database_unavailable"


def test_the_api_with_a_login_cookie_answers_503_too(down_app):
    client = logged_in_looking(down_app.test_client())
    response = client.get("/api/v1/users/me")
    assert response.status_code == 503
    assert error_of(response)["code"] == "database_unavailable"


def test_pages_that_need_no_database_still_work(down_app):
    client = down_app.test_client()
    assert client.get("/login").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200


# --- a login cookie on every kind of path --------------------------------------------------

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/static/css/app.css"),  # no view loads the user: only the response hook did
        ("GET", "/no-such-page"),  # the 404 page renders the navigation of the user
        ("GET", "/login"),
        ("GET", "/parks/"),
        ("POST", "/logout"),
        ("GET", "/api/v1/users/me"),
        ("GET", "/healthz"),
    ],
)
def test_a_login_cookie_never_gets_a_bare_500(down_app, method, path):
    client = logged_in_looking(down_app.test_client())
    response = client.open(path, method=method, headers={"Accept-Language": "en"})
    assert response.status_code in (200, 404, 503), (path, response.status_code)
    for header in SECURITY_HEADERS:
        assert header in response.headers, (path, header)
    if not path.startswith("/static/"):  # a login cookie's page is never stored
        assert response.headers.get("Cache-Control") == "no-store"
    no_trace(response.get_data(as_text=True))


# --- a database that hangs ------------------------------------------------------------------


@pytest.fixture
def hung_server() -> Iterator[int]:
    """A TCP server that accepts connections and never answers: a hung database server."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    server.close()


def test_a_database_that_does_not_answer_gives_503_within_the_connect_timeout(hung_server):
    app = make_app(
        f"postgresql+psycopg://postgres@127.0.0.1:{hung_server}/opc", DB_CONNECT_TIMEOUT_S=2
    )
    client = logged_in_looking(app.test_client())
    for path in ("/parks/", "/api/v1/users/me", "/healthz"):
        started = time.monotonic()
        response = client.get(path)
        assert response.status_code == 503, path
        assert time.monotonic() - started < 5, path
        assert "Content-Security-Policy" in response.headers
    with app.app_context():
        db.engine.dispose()


def test_the_database_timeouts_come_from_the_settings(database_url):
    app = make_app(
        "postgresql+psycopg://postgres@127.0.0.1:1/none",
        DB_CONNECT_TIMEOUT_S=4,
        DB_STATEMENT_TIMEOUT_S=7,
        DB_POOL_TIMEOUT_S=6,
    )
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_timeout"] == 6
    assert options["connect_args"]["connect_timeout"] == 4
    assert options["connect_args"]["options"] == "-c statement_timeout=7000"


@pytest.fixture
def timed_app(database_url, app) -> Iterator[Flask]:
    """The test database with short timeouts and a pool of one connection."""
    timed = make_app(
        database_url,
        DB_STATEMENT_TIMEOUT_S=1,
        DB_POOL_TIMEOUT_S=1,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0},
    )
    yield timed
    with timed.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_statement_held_up_by_a_lock_gives_503_after_the_statement_timeout(
    timed_app, make, database_url
):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has no statement timeout; its busy timeout answers 409 (lock tests)")
    staff = make.user("admin")
    token = make.token(staff)
    blocker = sa.create_engine(database_url)
    with blocker.connect() as conn:
        # The server ends the blocker after 8 s, so that without a statement timeout the
        # request is late rather than stuck.
        conn.exec_driver_sql("SET idle_in_transaction_session_timeout = '8s'")
        conn.exec_driver_sql("LOCK TABLE parks IN ACCESS EXCLUSIVE MODE")  # held until rollback
        started = time.monotonic()
        response = timed_app.test_client().get(
            "/api/v1/parks", headers={"Authorization": f"Bearer {token}"}
        )
        waited = time.monotonic() - started
        conn.rollback()
    blocker.dispose()
    assert response.status_code == 503
    assert error_of(response)["code"] == "database_unavailable"
    assert waited < 5


def test_a_request_waits_for_a_pooled_connection_only_as_long_as_the_pool_timeout(timed_app):
    with timed_app.app_context():
        engine = db.engine
    held = engine.connect()  # the pool's only connection, busy elsewhere
    try:
        held.exec_driver_sql("SELECT 1")
        started = time.monotonic()
        response = timed_app.test_client().get("/healthz")
        waited = time.monotonic() - started
    finally:
        held.close()
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "db": "error"}
    assert waited < 4
    assert timed_app.test_client().get("/healthz").status_code == 200  # free again


@pytest.mark.slow
def test_gunicorn_answers_503_with_its_headers_and_its_worker_lives_on(hung_server, tmp_path):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{hung_server}/opc"
    server = Gunicorn(tmp_path, url, timeout=10, DB_CONNECT_TIMEOUT_S=2)
    try:
        app = make_app(url)
        signer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        cookie = signer.dumps({"_user_id": "a-session-token", "_fresh": True})
        headers = f"Cookie: session={cookie}\r\nAccept-Language: en\r\n"
        for path in ("/parks/", "/static/css/app.css", "/no-such-page", "/healthz"):
            started = time.monotonic()
            status, head = server.request("GET", path, headers=headers, timeout=15)
            assert status in (200, 404, 503), (path, head[:300], server.output()[-2000:])
            assert b"Content-Security-Policy" in head, path
            assert time.monotonic() - started < 6, path
        assert "WORKER TIMEOUT" not in server.output()
    finally:
        server.stop()


@pytest.mark.parametrize("kind", sorted(UNREACHABLE))
def test_a_response_hook_that_needs_the_database_still_gives_the_503_page(kind):
    """A hook after the view (a domain's, or one to come) that reaches a database that is
    down: the 503 page with its headers, as from a view, not a bare 500."""
    app = make_app(UNREACHABLE[kind], PROPAGATE_EXCEPTIONS=False)

    @app.after_request
    def _touch_the_database(response):
        db.session.execute(sa.text("SELECT 1"))
        return response

    response = app.test_client().get("/login", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert "The database is unavailable. Please try again shortly." in response.get_data(
        as_text=True
    )
    assert "Content-Security-Policy" in response.headers
    with app.app_context():
        db.engine.dispose()
