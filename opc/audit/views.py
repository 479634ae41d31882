"""Admins browse and filter the audit log: each change as its fields, old → new, the record
by its name with a link (opc.audit.display); filters by record type, person and dates."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from opc.audit import display, queries
from opc.audit.permissions import can_read_audit
from opc.core.pagination import paginate
from opc.core.permissions import require
from opc.core.values import arg_date, arg_id, arg_text

bp = Blueprint("audit", __name__, url_prefix="/audit")
ACTIONS = ("create", "update", "delete")
SYSTEM = "system"  # the person filter's value for changes nobody made


def filters() -> dict[str, Any]:
    """The log's filters from the query string (opc.core.values: unusable values are no
    filter; out of range, 422): record type, record, person (an id or "system"), action,
    first and last day (both included)."""
    action = arg_text("action", max_length=20)
    return {
        "entity": arg_text("entity", max_length=100) or None,
        "entity_id": arg_id("entity_id"),
        "actor_id": arg_id("actor_id"),
        "system": request.args.get("actor_id") == SYSTEM,
        "action": action if action in ACTIONS else None,
        "on": arg_date("on"),
        "date_from": arg_date("from"),
        "date_to": arg_date("to"),
    }


@bp.route("/")
def index() -> Any:
    """The log, newest first, a page at a time."""
    require(can_read_audit(current_user))
    chosen = filters()
    tz = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    page = paginate(queries.entries(**chosen, tz=tz))
    return render_template(
        "audit/index.html",
        page=page,
        entries=display.show(page.items),
        filters=chosen,
        types=display.record_types(queries.entity_names()),
        people=display.people(),
        system=SYSTEM,
    )
