"""Admins browse and filter the audit log."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from opc.audit import queries
from opc.audit.permissions import can_read_audit
from opc.core.pagination import paginate
from opc.core.permissions import require

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _int(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.route("/")
def index() -> Any:
    """The log, newest first; filter by record type, record id, actor, action and day."""
    require(can_read_audit(current_user))
    try:
        on = date.fromisoformat(request.args["on"]) if request.args.get("on") else None
    except ValueError:
        on = None
    filters = {
        "entity": request.args.get("entity") or None,
        "entity_id": _int("entity_id"),
        "actor_id": _int("actor_id"),
        "action": request.args.get("action") or None,
        "on": on,
    }
    page = paginate(queries.entries(**filters, tz=current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    entities = queries.entity_names()
    return render_template("audit/index.html", page=page, filters=filters, entities=entities)
