"""The resident directory: what teams offer and need, matches between them, and introductions."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from opc.core import nav
from opc.directory import api, audit_kinds, models, notify, permissions, team_pages, views
from opc.directory.labels import outcome_label
from opc.directory.permissions import can_introduce, can_use_directory

# Routes, models and rules register when imported.
__all__ = ["api", "models", "permissions"]


def init_app(app: Flask) -> None:
    """The directory's pages, nav entries, labels, audit and notification kinds, team card."""
    app.register_blueprint(views.bp)
    app.add_template_filter(outcome_label, "introduction_outcome")
    audit_kinds.register_kinds()
    notify.register_kinds()
    team_pages.register()
    nav.add("directory.index", _l("Directory"), can_use_directory, order=48)
    nav.add(
        "directory.introductions_index", _l("Introductions"), lambda u: can_introduce(u), order=48
    )
