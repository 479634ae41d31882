"""Errors for people (HTML pages) and machines (the JSON error format); never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Flask,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from opc.core.constraints import rule_for_integrity_error
from opc.core.db import is_lock_conflict
from opc.core.errors import ConcurrentUpdate, DomainError
from opc.core.limits import LIMITS, TooLarge
from opc.core.paths import nearest_page
from opc.core.security import security_headers
from opc.extensions import db, login

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


def wants_json() -> bool:
    return (
        request.path.startswith("/api/")
        or request.path == "/healthz"
        or (request.accept_mimetypes.best == "application/json")
    )


def respond(status: int, code: str, message: str, **extra: object) -> tuple[object, int]:
    """One error, as JSON for the API or as the error page for people."""
    if wants_json():
        body: dict[str, object] = {"code": code, "message": message}
        body.update({k: v for k, v in extra.items() if v})
        response = jsonify({"error": body})
    else:
        _user_or_visitor()
        page = render_template("errors/error.html", status=status, code=code, message=message)
        response = make_response(page)
    # Set here as well as by the response hook: a hook that fails after an error (the
    # database it needs being what failed) stops the hooks, never these headers.
    return security_headers(response), status


def _user_or_visitor() -> None:
    """The error page shows the navigation of the request's user; when finding that user
    fails (the database is down or hung), the page is rendered for a visitor instead."""
    try:
        current_user._get_current_object()
    except Exception:
        log.info("error page rendered for a visitor: the user could not be loaded")
        _rollback()
        _as_visitor()


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the database may be gone; the error page must still render
        log.warning("rollback failed", exc_info=True)


def handle_domain(exc: DomainError) -> tuple[object, int, dict[str, str]]:
    _rollback()
    body, status = respond(
        exc.status, exc.code, exc.message, fields=exc.fields, conflict=exc.conflict, **exc.extra
    )
    retry_after = getattr(exc, "retry_after", None)  # RateLimited: when to come back
    return body, status, ({"Retry-After": str(retry_after)} if retry_after else {})


def handle_csrf(exc: CSRFError) -> tuple[object, int]:
    return respond(
        400,
        "csrf_failed",
        _("The form's security token is missing or expired. Reload the page and try again."),
    )


def handle_too_large(exc: RequestEntityTooLarge) -> tuple[object, int]:
    """413 naming the limit that was crossed (opc.core.limits): the whole body, a form
    field, or the number of form fields."""
    setting = exc.setting if isinstance(exc, TooLarge) else "MAX_CONTENT_LENGTH"
    limit = current_app.config[setting]
    return respond(413, "body_too_large", LIMITS[setting](limit), limit=limit, setting=setting)


def handle_http(exc: HTTPException) -> tuple[object, int, list[tuple[str, str]]]:
    original = getattr(exc, "original_exception", None)
    if isinstance(exc, InternalServerError) and original is not None:
        # Raised outside the view and its before_request hooks (an after_request hook, the
        # error page itself): the database failing there is still an outage, not a bug.
        for kind, handler in _OUTSIDE_THE_VIEW:
            if isinstance(original, kind):
                answer = handler(original)  # (body, status) or (body, status, headers)
                return answer if len(answer) == 3 else (*answer, [])  # type: ignore[return-value]
    status = exc.code or 500
    if status == 405 and request.method in ("GET", "HEAD") and not wants_json():
        # A form's POST-only address opened by GET (typed, or reloaded without sending the
        # form again): no dead end, the page above it.
        return redirect(nearest_page(request.full_path, url_for("core.home")))  # type: ignore[return-value]
    messages = {
        400: _("The request could not be understood."),
        401: _("Please log in."),
        403: _("You may not do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        500: _("Something went wrong on our side. It has been logged."),
        503: _("The service is unavailable. Please try again shortly."),
    }
    body, status = respond(
        status,
        _HTTP_CODES.get(status, "http_error"),
        messages.get(status, exc.description or exc.name),
    )
    # Keep the exception's own headers (Allow on 405, Retry-After, WWW-Authenticate).
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return body, status, headers  # type: ignore[return-value]


def handle_integrity(exc: IntegrityError) -> tuple[object, int]:
    """A constraint the database enforced (often a race the checks could not see)."""
    _rollback()
    violation = rule_for_integrity_error(exc)
    return handle_domain(violation)


def _as_visitor() -> None:
    """Render the rest of the request for an anonymous visitor: loading the user, and the
    navigation's permission checks, would need the database that just failed."""
    g._login_user = login.anonymous_user()


def handle_db_down(exc: Exception) -> tuple[object, int]:
    if is_lock_conflict(exc):  # another writer held the rows (outside an operation): 409
        log.info("write collided with another: %s", exc)
        return handle_domain(ConcurrentUpdate())
    log.error("database unavailable: %s", exc)
    _rollback()
    _as_visitor()
    return respond(
        503, "database_unavailable", _("The database is unavailable. Please try again shortly.")
    )


def handle_bad_value(exc: Exception) -> tuple[object, int]:
    """A value the database or a driver cannot hold (NUL in text, a lone surrogate, an
    integer or a date out of range) that got past the checks: 422, nothing written. The
    checks (opc.core.values) should have refused it with the field's name: logged."""
    log.warning("value refused by the database or its driver: %s", exc)
    _rollback()
    if "NUL" in str(exc) or isinstance(exc, UnicodeEncodeError):
        message = _("Text may not contain control characters.")
    else:
        message = _("A value is out of the range that can be stored.")
    return respond(422, "invalid_value", message)


def handle_unexpected(exc: Exception) -> tuple[object, int]:
    log.exception("unexpected error")
    _rollback()
    return respond(
        500, "internal_error", _("Something went wrong on our side. It has been logged.")
    )


# Errors of a value the database or its driver cannot hold.
_BAD_VALUES = (DataError, OverflowError, UnicodeEncodeError)
_OUTSIDE_THE_VIEW: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], Any], ...] = (
    ((OperationalError, PoolTimeout), handle_db_down),
    (_BAD_VALUES, handle_bad_value),
)


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain)
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(RequestEntityTooLarge, handle_too_large)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(IntegrityError, handle_integrity)
    app.register_error_handler(OperationalError, handle_db_down)
    app.register_error_handler(PoolTimeout, handle_db_down)
    for bad_value in _BAD_VALUES:
        app.register_error_handler(bad_value, handle_bad_value)
    app.register_error_handler(Exception, handle_unexpected)
