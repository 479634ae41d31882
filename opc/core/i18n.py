"""Language and timezone of a request: Simplified Chinese or English; the park's zone."""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError


def select_locale() -> str:
    """The user's choice in this session, then their profile, then the browser, then default."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    try:
        user_locale = getattr(current_user, "locale", None) if current_user else None
    except SQLAlchemyError:  # the user cannot be looked up (the database is down or hung)
        user_locale = None
    if user_locale in languages:
        return user_locale
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def select_timezone() -> str:
    """The zone of the park on screen, else the deployment default."""
    park = g.get("park") if has_request_context() else None
    return getattr(park, "timezone", None) or current_app.config["BABEL_DEFAULT_TIMEZONE"]


def locale_code() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def init_app(app: Flask) -> None:
    @app.context_processor
    def _inject() -> dict[str, object]:
        return {"current_locale": locale_code(), "languages": app.config["LANGUAGES"]}
