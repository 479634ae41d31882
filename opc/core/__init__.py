"""What every domain builds on: database, errors, permissions, money, dates, forms, pages."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from opc.core import errorpages, i18n, limits, nav, paths, security, templating, values, views
from opc.core.templating import actor_label
from opc.core.zones import zone_label


def init_app(app: Flask) -> None:
    """Bounded URL ids, error pages, security, language and templates, the site-wide pages."""
    values.init_app(app)  # first: the converter applies to the rules added after it
    limits.init_app(app)  # before security: a body too large is refused before CSRF reads it
    errorpages.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    app.jinja_env.globals["return_path"] = paths.return_path  # the language switch's `next`
    app.jinja_env.filters["zone"] = zone_label  # {{ park.timezone|zone }}
    app.jinja_env.filters["actor"] = actor_label  # {{ step.actor|actor }}: a person or System
    app.register_blueprint(views.bp)
    nav.add("core.home", _l("Home"), lambda u: u.role in views.LITTLE_TO_SEE_YET, order=5)
