"""OPC Ops: the operations system of an incubator hub."""

from __future__ import annotations

import functools
import json
import os
import pkgutil
from datetime import timedelta
from importlib import import_module
from types import ModuleType
from typing import Any

from flask import Flask
from sqlalchemy.engine import make_url

from opc.config import ROOT, check_settings, load_settings

# Infrastructure below every domain; each domain package of `opc` registers itself.
INFRASTRUCTURE = frozenset({"core", "api"})


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, then every domain's init_app; starts nothing."""
    app = Flask(__name__, instance_relative_config=True, template_folder="../templates")
    configure_settings(app, overrides)
    app.json.sort_keys = False  # type: ignore[attr-defined]  (keep fields in schema order)
    configure_extensions(app)
    from opc import api, core

    core.init_app(app)
    for domain in domains():
        domain.init_app(app)
    api.init_app(app)  # last: the domains have added their routes to its blueprint
    return app


def domains() -> list[ModuleType]:
    """The packages of `opc` that register themselves with `init_app(app)`, by name.

    Adding a domain is adding its package: nothing central lists it. Their order does not
    matter (navigation entries carry their own order).
    """
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.ispkg and info.name not in INFRASTRUCTURE:
            module = import_module(f"{__name__}.{info.name}")
            if hasattr(module, "init_app"):
                found.append(module)
    return found


def configure_settings(app: Flask, overrides: dict[str, Any] | None) -> None:
    settings = load_settings(app.instance_path, overrides)
    check_settings(settings, debug=app.debug)
    app.config.update(settings)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=app.config["SESSION_LIFETIME_HOURS"]),
        WTF_CSRF_CHECK_DEFAULT=False,  # checked in core.security, skipped for bearer tokens
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the login session
    )
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    # No pool_pre_ping: opc.core.db tests only connections that sat idle (PING_AFTER_IDLE_S).
    # JSON columns (the audit log's before and after) keep Chinese as written (星云), not
    # as \u escapes, so the stored rows read as they are; old escaped rows decode the same.
    engine: dict[str, Any] = {"json_serializer": functools.partial(json.dumps, ensure_ascii=False)}
    if make_url(uri).database not in (None, "", ":memory:"):  # an in-memory SQLite has no pool
        # A request waits at most DB_POOL_TIMEOUT_S for a pooled connection, then 503.
        engine["pool_timeout"] = app.config["DB_POOL_TIMEOUT_S"]
    if uri.startswith("sqlite"):
        engine["connect_args"] = {
            "timeout": app.config["SQLITE_BUSY_TIMEOUT_S"],
            "check_same_thread": False,
        }
        os.makedirs(app.instance_path, exist_ok=True)
    else:
        # A server that does not answer fails the connection (503) and the statement that
        # runs too long is cancelled by the server (503), well before gunicorn's worker timeout.
        statement_ms = app.config["DB_STATEMENT_TIMEOUT_S"] * 1000
        engine["connect_args"] = {
            "connect_timeout": app.config["DB_CONNECT_TIMEOUT_S"],
            "options": f"-c statement_timeout={statement_ms}",
        }
    # Options given in the settings (tests, a site's tuning) are laid over these.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **engine,
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
    }


def configure_extensions(app: Flask) -> None:
    from opc.core.i18n import select_locale, select_timezone
    from opc.extensions import babel, csrf, db, login, migrate

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    login.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
