"""Helpers for the people & security tests: reading what was stored, replaying cookies."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask.testing import FlaskClient

from tests.core.helpers import count, rows, text

WRONG_PASSWORD = "not-the-password-42"
NEW_PASSWORD = "a-brand-new-passphrase"

__all__ = [
    "NEW_PASSWORD",
    "WRONG_PASSWORD",
    "count",
    "is_logged_in",
    "redirects_to_login",
    "replay",
    "rows",
    "session_cookie",
    "text",
]


def session_cookie(client: FlaskClient) -> str:
    """The value of the browser's session cookie, to replay it later."""
    cookie = client.get_cookie("session")
    assert cookie is not None, "the client holds no session cookie"
    return cookie.value


def replay(client: FlaskClient, value: str) -> None:
    """Put a captured session cookie back, as an attacker who copied it would."""
    client.set_cookie("session", value)


def redirects_to_login(response: Any) -> bool:
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


def is_logged_in(client: FlaskClient) -> bool:
    """Whether the client can open a page that needs a login."""
    response = client.get("/account")
    if response.status_code == 200:
        return True
    assert redirects_to_login(response), response.status_code
    return False
