"""When the database cannot be reached the app says so: 503 on pages (a page for people, no
trace), on the API (code database_unavailable) and on /healthz."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from opc.extensions import db
from tests.conftest import make_app
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
    assert "<h1>503</h1>" in page
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
