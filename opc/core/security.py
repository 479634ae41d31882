"""Login required by default, CSRF on unsafe requests without a bearer token, safe redirects,
and the security headers of every response."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, current_app, redirect, request, url_for
from flask_login import current_user

from opc.extensions import csrf, login

F = TypeVar("F", bound=Callable[..., Any])
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def public(view: F) -> F:
    """Mark a page that anonymous visitors may open; every other page needs a login."""
    view.public = True  # type: ignore[attr-defined]
    return view


def is_public(endpoint: str | None) -> bool:
    if endpoint is None or endpoint == "static":
        return True
    view = current_app.view_functions.get(endpoint)
    return bool(getattr(view, "public", False))


def safe_next(target: str | None, default: str) -> str:
    """`target` when it is a path on this site, else `default` (no open redirects)."""
    if not target:
        return default
    target = target.strip()
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 32 for c in target)
    ):
        return default
    return target


def _require_login() -> Any:
    # The API's routes authenticate themselves (bearer token or session; 401 JSON).
    if request.blueprint == "api" or is_public(request.endpoint):
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return None


def _check_csrf() -> None:
    if request.method in SAFE_METHODS or request.endpoint is None:
        return
    if request.blueprint == "api" and (
        "Authorization" in request.headers or not current_user.is_authenticated
    ):
        # The API acts on the Authorization header when there is one and never falls back to
        # the cookie, and a browser does not send that header by itself; without it and
        # without a logged-in session the route answers 401. Only cookie logins need a token.
        return
    # Pages act on the session cookie alone: a bearer header does not excuse them.
    csrf.protect()


def _headers(response: Any) -> Any:
    h = response.headers
    h.setdefault("Content-Security-Policy", current_app.config["CONTENT_SECURITY_POLICY"])
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Referrer-Policy", "same-origin")
    h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_user and getattr(current_user, "is_authenticated", False):
        h.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    # Who a session cookie belongs to is opc.auth's to say (it sets login.user_loader).
    login.login_view = "auth.login"
    app.before_request(_require_login)
    app.before_request(_check_csrf)
    app.after_request(_headers)
