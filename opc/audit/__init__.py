"""The audit log: every change of an audited record, who made it, before and after."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from opc.audit import api, recorder, registry, views
from opc.audit.permissions import can_read_audit
from opc.core import nav

__all__ = ["api", "recorder"]  # routes and the flush hook register when imported


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    nav.add("audit.index", _l("Audit log"), can_read_audit, order=95)
    registry.register_own()  # users and their tokens; the domains above register theirs
