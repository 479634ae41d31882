"""Login required by default, CSRF on unsafe requests without a bearer token, safe redirects,
and the security headers of every response."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, current_app, g, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

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


def acting_user() -> Any:
    """The signed-in user as a plain object, for an operation's `actor` (not the proxy)."""
    return current_user._get_current_object()


def client_address() -> str:
    """The address of the client that sent this request, for throttling and rate limits.

    Behind TRUSTED_PROXIES reverse proxies it is the one they forwarded (ProxyFix, set up
    below); without (the default) X-Forwarded-For is ignored, so no client chooses its own.
    """
    return (request.remote_addr or "unknown")[:64]


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


def token_request() -> bool:
    """Whether this is an API request that authenticates by its Authorization header.

    Any Authorization header counts, whatever its value (empty, `Bearer`, `Basic x`): the API
    then accepts a valid bearer token and nothing else (401 otherwise, opc.api.routing), and
    never reads the session cookie. Without the header the API uses the session, and CSRF
    applies to it. A browser does not send the header by itself, so it is no way around CSRF.
    """
    return request.blueprint == "api" and "Authorization" in request.headers


def _ignore_the_cookie() -> None:
    # A token request is nobody until the API has checked its token (which then sets the
    # token's user as current_user): the session cookie's user is never loaded for it.
    if token_request():
        g._login_user = login.anonymous_user()


def _check_csrf() -> None:
    if request.method in SAFE_METHODS or request.endpoint is None:
        return
    if token_request():
        return
    if request.blueprint == "api" and not current_user.is_authenticated:
        return  # no session to abuse: the route answers 401 (or is public)
    # Pages act on the session cookie alone: a bearer header does not excuse them.
    csrf.protect()


def security_headers(response: Any) -> Any:
    """The security headers of every response (an after_request hook; error pages set them
    themselves too, in case a later hook fails while the error is answered)."""
    h = response.headers
    h.setdefault("Content-Security-Policy", current_app.config["CONTENT_SECURITY_POLICY"])
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Referrer-Policy", "same-origin")
    h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    # Never loads the user (that needs the database, which may be what failed): a response
    # made for a user looked them up already; one to a login cookie is never stored either.
    user = g.get("_login_user")
    if getattr(user, "is_authenticated", False) or session.get("_user_id"):
        h.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    # Who a session cookie belongs to is opc.auth's to say (it sets login.user_loader).
    login.login_view = "auth.login"
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        # The client's address and scheme as the trusted proxies forwarded them; never the
        # Host (links leaving the site use EXTERNAL_URL, opc.core.links).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    app.before_request(_ignore_the_cookie)
    app.before_request(_require_login)
    app.before_request(_check_csrf)
    app.after_request(security_headers)
