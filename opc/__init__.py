"""OPC Ops: the operations system of an incubator hub."""

from __future__ import annotations

import os
from datetime import timedelta
from importlib import import_module
from typing import Any

from flask import Flask

from opc.config import check_settings, load_settings

# Domain packages whose views, API routes and CLI commands make up the app.
BLUEPRINTS = (
    "opc.core.views",
    "opc.auth.views",
    "opc.parks.views",
    "opc.audit.views",
    "opc.teams.views",
    "opc.space.views",
)
API_MODULES = (
    "opc.api.openapi",
    "opc.auth.api",
    "opc.parks.api",
    "opc.audit.api",
    "opc.teams.api",
    "opc.space.api",
)
CLI_MODULES = ("opc.auth.cli", "opc.demo")


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, errors, security, templates, CLI."""
    app = Flask(__name__, instance_relative_config=True, template_folder="../templates")
    configure_settings(app, overrides)
    app.json.sort_keys = False  # type: ignore[attr-defined]  (keep fields in schema order)
    configure_extensions(app)
    configure_blueprints(app)
    from opc.core import errorpages, i18n, security, templating

    errorpages.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    for name in CLI_MODULES:
        import_module(name).init_app(app)
    return app


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
    engine: dict[str, Any] = {"pool_pre_ping": True}
    if uri.startswith("sqlite"):
        engine["connect_args"] = {
            "timeout": app.config["SQLITE_BUSY_TIMEOUT_S"],
            "check_same_thread": False,
        }
        os.makedirs(app.instance_path, exist_ok=True)
    else:
        engine["connect_args"] = {"connect_timeout": 5}
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine)


def configure_extensions(app: Flask) -> None:
    from opc.audit import recorder  # noqa: F401  (registers the audit flush hook)
    from opc.core.permissions import register_visibility
    from opc.extensions import babel, csrf, db, login, migrate
    from opc.models import import_all

    import_all()
    register_visibility()
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(_root() / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    login.init_app(app)
    from opc.core.i18n import select_locale, select_timezone

    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)


def configure_blueprints(app: Flask) -> None:
    from opc.api import bp as api_bp

    for name in API_MODULES:
        import_module(name)
    for name in BLUEPRINTS:
        app.register_blueprint(import_module(name).bp)
    app.register_blueprint(api_bp)


def _root() -> Any:
    from opc.config import ROOT

    return ROOT
