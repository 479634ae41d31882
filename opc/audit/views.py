"""Admins browse and filter the audit log: each change as its fields, old → new, the record
by its name with a link (opc.audit.display); filters by record type, person and dates."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from opc.audit import display, queries
from opc.audit.models import AuditEntry
from opc.audit.permissions import can_read_audit
from opc.core.dates import export_datetime
from opc.core.export import check_size, export_response
from opc.core.pagination import paginate
from opc.core.permissions import require
from opc.core.values import arg_date, arg_id, arg_text
from opc.extensions import db

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
    sort = queries.SORTING.requested()
    page = paginate(queries.entries(**chosen, tz=tz, sort=sort))
    return render_template(
        "audit/index.html",
        page=page,
        sort=sort or queries.SORTING.chosen(),
        filtered=any(value for value in chosen.values()),
        entries=display.show(page.items),
        filters=chosen,
        types=display.record_types(queries.entity_names()),
        people=display.people(),
        system=SYSTEM,
    )


def _change_text(change: display.Change) -> str:
    if change.old is not None and change.new is not None:
        return f"{change.label}: {change.old} → {change.new}"
    return f"{change.label}: {change.new if change.new is not None else change.old}"


@bp.route("/export.<any(csv, xlsx):fmt>")
def export(fmt: str) -> Any:
    """The log as filtered on the page, every page of it, as CSV (UTF-8 with BOM) or XLSX:
    one row per change of a record, its fields in one cell as the page shows them."""
    require(can_read_audit(current_user))
    tz = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    stmt = queries.entries(**filters(), tz=tz, sort=queries.SORTING.requested())
    check_size(stmt)
    labels = dict(zip(ACTIONS, (_("create"), _("update"), _("delete")), strict=True))
    entries: list[AuditEntry] = list(db.session.scalars(stmt))
    tz = str(get_timezone())
    rows = [
        [
            export_datetime(s.entry.at, tz),
            s.actor,
            labels.get(s.entry.action, s.entry.action),
            s.type_label,
            s.record,
            "\n".join(_change_text(c) for c in s.changes),
        ]
        for s in display.show(entries)
    ]
    headers = [_("When"), _("Who"), _("Action"), _("Record type"), _("Record"), _("Changes")]
    return export_response(fmt, _("Audit log"), headers, rows)
