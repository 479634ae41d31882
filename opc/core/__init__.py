"""What every domain builds on: database, errors, permissions, money, dates, forms, pages."""

from __future__ import annotations

from flask import Flask

from opc.core import errorpages, i18n, security, templating, views


def init_app(app: Flask) -> None:
    """Error pages, security, language and templates, and the site-wide pages."""
    errorpages.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    app.register_blueprint(views.bp)
