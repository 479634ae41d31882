"""Admins browse and filter the audit log."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from opc.audit import queries
from opc.audit.permissions import can_read_audit
from opc.core.pagination import paginate
from opc.core.permissions import require
from opc.core.values import arg_date, arg_id, arg_text

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.route("/")
def index() -> Any:
    """The log, newest first; filter by record type, record id, actor, action and day
    (opc.core.values: unusable values are no filter; out of range, 422)."""
    require(can_read_audit(current_user))
    filters = {
        "entity": arg_text("entity", max_length=100) or None,
        "entity_id": arg_id("entity_id"),
        "actor_id": arg_id("actor_id"),
        "action": arg_text("action", max_length=20) or None,
        "on": arg_date("on"),
    }
    page = paginate(queries.entries(**filters, tz=current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    entities = queries.entity_names()
    return render_template("audit/index.html", page=page, filters=filters, entities=entities)
